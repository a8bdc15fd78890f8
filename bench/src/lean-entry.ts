// An app using core and Cohere only: what `pnpm bench:bundle` bundles and weighs (and the lean-bundle test checks).
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Redacted } from "effect"

const layer = Cohere.layer({ apiKey: Redacted.make("key") }).pipe(Layer.provide(FetchHttpClient.layer))

Effect.runPromise(Reranker.rerank({ query: "q", documents: ["a", "b"] }).pipe(Effect.provide(layer))).then(
  (result) => console.log(result.results.length),
  (error) => console.error(String(error))
)
