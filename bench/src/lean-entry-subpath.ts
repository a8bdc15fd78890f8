// lean-entry.ts through the Cohere module's own subpath: what a browser or Worker app imports (`pnpm bench:bundle`).
import { Reranker } from "@effect-rerank/core"
import * as Cohere from "@effect-rerank/http/Cohere"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

const layer = Cohere.layer({ apiKey: Redacted.make("key") }).pipe(Layer.provide(FetchHttpClient.layer))

Effect.runPromise(Reranker.rerank({ query: "q", documents: ["a", "b"] }).pipe(Effect.provide(layer))).then(
  (result) => console.log(result.results.length),
  (error) => console.error(String(error))
)
