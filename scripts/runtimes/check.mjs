// Run by scripts/runtimes-check.sh on each runtime, against the packed tarballs; __BASE_URL__ is a loopback
// `rerank serve` keyed with "right-key". Prints the runtime's name, then "runtime ok", or fails.
import { Reranker } from "@effect-rerank/core"
import * as Cohere from "@effect-rerank/http/Cohere"
import { LocalReranker } from "@effect-rerank/local"
import { Fusion } from "@effect-rerank/rrf"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Either, Layer, Redacted } from "effect"

const runtime =
  typeof globalThis.Deno !== "undefined"
    ? "deno"
    : typeof globalThis.Bun !== "undefined"
      ? "bun"
      : typeof globalThis.document !== "undefined"
        ? "browser"
        : "node"
console.log(runtime)

const documents = ["a river in France", "Paris is the capital of France", "the capital punishment debate"]
const check = (condition, what) => {
  if (!condition) throw new Error(`failed: ${what}`)
}

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
  Cohere.layer({ apiKey: Redacted.make(key), baseUrl: "__BASE_URL__", retry: { maxRetries: 0 } }).pipe(
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
console.log("runtime ok")
