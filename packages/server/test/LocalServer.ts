/**
 * `rerank serve`'s server over the local reranker (or the one given), quiet, on a free loopback port for the
 * enclosing scope: its URL.
 */
import type { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { Effect, Layer, Logger, Scope } from "effect"

export const start = (
  options: NodeServer.Options = {},
  reranker: Layer.Layer<Reranker.Reranker, unknown> = LocalReranker.layer()
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.Scope
    const context = yield* Layer.buildWithScope(
      NodeServer.layer({ port: 0, ...options }).pipe(
        Layer.provide(reranker),
        Layer.provide(Logger.remove(Logger.defaultLogger))
      ),
      scope
    )
    return yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "")
    ).pipe(Effect.provide(context))
  })
