/**
 * `rerank serve`'s server over the local reranker, quiet, on a free loopback port for the enclosing scope: its URL.
 */
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { Effect, Layer, Logger, Scope } from "effect"

export const start = (options: NodeServer.Options = {}) =>
  Effect.gen(function* () {
    const scope = yield* Scope.Scope
    const context = yield* Layer.buildWithScope(
      NodeServer.layer({ port: 0, ...options }).pipe(
        Layer.provide(LocalReranker.layer()),
        Layer.provide(Logger.remove(Logger.defaultLogger))
      ),
      scope
    )
    return yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "")
    ).pipe(Effect.provide(context))
  })
