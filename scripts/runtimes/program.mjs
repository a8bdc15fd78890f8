// The program scripts/runtimes-check.sh runs on each runtime, against the packed tarballs: the local reranker, an RRF
// fusion, and a Cohere call to a loopback `rerank serve` keyed with "right-key", answered with it and refused (as an
// AuthenticationError) with a wrong one. `run` says each step through `say`, "runtime ok" last, or throws.
import { Reranker } from "@effect-rerank/core"
import * as Cohere from "@effect-rerank/http/Cohere"
import { LocalReranker } from "@effect-rerank/local"
import { Fusion } from "@effect-rerank/rrf"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Either, Layer, Redacted } from "effect"

const documents = ["a river in France", "Paris is the capital of France", "the capital punishment debate"]

const check = (condition, what) => {
  if (!condition) throw new Error(`failed: ${what}`)
}

export const run = async (runtime, baseUrl, say) => {
  say(runtime)
  const local = await Effect.runPromise(
    Reranker.rerank({ query: "capital of France", documents }).pipe(Effect.provide(LocalReranker.layer()))
  )
  check(local.results[0].index === 1, `the local reranker ranks the capital first: ${JSON.stringify(local.results)}`)

  const fused = Fusion.rrf(
    [
      [{ id: "a" }, { id: "b" }, { id: "c" }],
      [{ id: "b" }, { id: "c" }, { id: "a" }]
    ],
    { key: (item) => item.id }
  )
  const ids = Either.getOrThrow(fused).map((f) => f.item.id)
  check(ids[0] === "b", `RRF puts b first: ${JSON.stringify(ids)}`)

  const cohere = (key) =>
    Cohere.layer({ apiKey: Redacted.make(key), baseUrl, retry: { maxRetries: 0 } }).pipe(
      Layer.provide(FetchHttpClient.layer)
    )
  const served = await Effect.runPromise(
    Reranker.rerank({ query: "capital of France", documents }).pipe(Effect.provide(cohere("right-key")))
  )
  check(served.results[0].index === 1, `rerank serve ranks the capital first: ${JSON.stringify(served.results)}`)
  const refused = await Effect.runPromise(
    Effect.flip(Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(cohere("wrong-key"))))
  )
  check(refused._tag === "AuthenticationError", `a wrong key is an AuthenticationError: ${refused._tag}`)
  say("runtime ok")
}
