/**
 * `pnpm bench:batching`: what batching adds on top of the scoring work itself, for 10,000 documents in windows of
 * 1,000 with concurrency 4.
 *
 * - core: a provider that answers each window at once with precomputed scores; "scripted work" is calling that
 *   provider for every window directly, "through Reranker" adds validation, windowing, merging and the span.
 * - http: the Cohere layer over a scripted HttpClient that builds each JSON response at once; "scripted work" is
 *   building those responses alone, "through Cohere" adds request encoding, response decoding, retries' bookkeeping,
 *   index checks and the merge.
 *
 * Prints the median of 20 runs after 5 warm-up runs.
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Layer, Option, Redacted } from "effect"

const documents = Array.from({ length: 10_000 }, (_, i) => `passage ${i} about topic ${i % 37} and more words`)
const score = (text: string) => ((Number(text.split(" ")[1]) * 7919) % 1000) / 1000
const query = "topic 7"

const median = async (f: () => Promise<unknown>) => {
  for (let i = 0; i < 5; i++) await f()
  const times: Array<number> = []
  for (let i = 0; i < 20; i++) {
    const start = performance.now()
    await f()
    times.push(performance.now() - start)
  }
  return times.sort((a, b) => a - b)[10]
}

// core
const provider: Reranker.Provider = {
  specificationVersion: "v2",
  system: "bench",
  model: "m",
  rerankWindow: (request) =>
    Effect.sync(() => ({
      results: request.documents.map((text, index) => ({ index, score: score(text) })),
      searchUnits: 10
    }))
}
const reranker = await Effect.runPromise(Reranker.make(provider, { maxDocumentsPerRequest: 1000, concurrency: 4 }))
const windows = Array.from({ length: 10 }, (_, w) => documents.slice(w * 1000, w * 1000 + 1000))
const coreScripted = await median(() =>
  Effect.runPromise(
    Effect.forEach(windows, (window) =>
      provider.rerankWindow({ query, documents: window, model: "m", topN: Option.none() })
    )
  )
)
const coreTotal = await median(() => Effect.runPromise(reranker.rerank({ query, documents })))

// http
const respond = (body: { documents: Array<string> }) =>
  JSON.stringify({
    id: "bench",
    results: body.documents
      .map((text, index) => ({ index, relevance_score: score(text) }))
      .sort((a, b) => b.relevance_score - a.relevance_score),
    meta: { api_version: { version: "2" }, billed_units: { search_units: 10 } }
  })
const client = HttpClient.make((request) =>
  Effect.sync(() => {
    const body = request.body._tag === "Raw" ? JSON.parse(request.body.body as string) : {}
    return HttpClientResponse.fromWeb(
      request,
      new Response(respond(body), { status: 200, headers: { "content-type": "application/json" } })
    )
  })
)
const cohere = await Effect.runPromise(
  Cohere.make({ apiKey: Redacted.make("bench"), concurrency: 4 }).pipe(
    Effect.provide(Layer.succeed(HttpClient.HttpClient, client))
  )
)
const httpScripted = await median(async () => {
  for (const window of windows) {
    const body = JSON.parse(JSON.stringify({ model: "rerank-v3.5", query, documents: window }))
    await new Response(respond(body)).text()
  }
})
const httpTotal = await median(() => Effect.runPromise(cohere.rerank({ query, documents })))

const row = (name: string, scripted: number, total: number) =>
  console.log(
    `${name.padEnd(6)} scripted work ${scripted.toFixed(1).padStart(6)} ms   total ${total.toFixed(1).padStart(6)} ms   overhead ${(total - scripted).toFixed(1).padStart(6)} ms`
  )
console.log("10,000 documents, windows of 1,000, concurrency 4 (median of 20 runs)")
row("core", coreScripted, coreTotal)
row("http", httpScripted, httpTotal)
