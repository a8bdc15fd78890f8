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

/** A JSON POST to the server, as a client of any protocol sends it: the status, the headers, the parsed answer. */
export const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers }
    })
    return { status: response.status, headers: response.headers, body: await response.json() }
  })

/**
 * A Bedrock Rerank request body: each query a text query (or, for a malformed one, the object given), each text an
 * inline source, and the model's ARN or id.
 */
export const bedrockBody = (options: {
  readonly queries?: ReadonlyArray<string | object>
  readonly texts?: ReadonlyArray<string>
  readonly modelArn?: unknown
  readonly numberOfResults?: number
}) => ({
  queries: (options.queries ?? ["q"]).map((query) =>
    typeof query === "string" ? { type: "TEXT", textQuery: { text: query } } : query
  ),
  sources: (options.texts ?? ["a"]).map((text) => ({
    type: "INLINE",
    inlineDocumentSource: { type: "TEXT", textDocument: { text } }
  })),
  rerankingConfiguration: {
    type: "BEDROCK_RERANKING_MODEL",
    bedrockRerankingConfiguration: {
      ...(options.numberOfResults === undefined ? {} : { numberOfResults: options.numberOfResults }),
      modelConfiguration: { modelArn: options.modelArn ?? "amazon.rerank-v1:0" }
    }
  }
})
