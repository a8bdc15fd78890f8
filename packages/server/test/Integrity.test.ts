/**
 * Where features meet, through the public API: the cache with models, endpoints and keys; windows sized by the
 * model a call names; the cache with topN; SigV4 failures; base URLs with a query or a fragment. Each test is a
 * defect users met (issue 18), against the world of scripted services in World.ts.
 */
import { Reranker, RerankError, ScoreCache } from "@effect-rerank/core"
import { Bedrock, Cohere, Jina, Pinecone, Tei, Voyage } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"
import * as World from "./World.js"
import { failureOf } from "../../../test-utils/Outcome.js"

const query = "which one?"
const documents = Array.from({ length: 10 }, (_, i) => `document number ${i}`)

/** One in-memory score store, shared by every layer it is given to, as a Redis would be. */
const sharedStore = Effect.map(ScoreCache.makeMemory(), (store) => Layer.succeed(ScoreCache.ScoreCacheStore, store))

/** Runs `request` on the reranker `layer` builds, against `world`. */
const rerankWith = <E>(
  layer: Layer.Layer<Reranker.Reranker, E, any>,
  world: ReturnType<typeof World.make>,
  request: Parameters<typeof Reranker.rerank<string>>[0]
) => Reranker.rerank(request).pipe(Effect.provide(layer.pipe(Layer.provide(world.layer), Layer.orDie)))

describe("the score cache's scope: model, endpoint and key", () => {
  it.effect("a call naming another model is another entry: nothing scored for one model answers for another", () =>
    Effect.gen(function* () {
      const world = World.make()
      const jina = Jina.layer({ apiKey: Redacted.make("k"), baseUrl: "https://jina-a.test", cache: true })
      const reranker = yield* Reranker.Reranker.pipe(Effect.provide(jina.pipe(Layer.provide(world.layer))))
      const first = yield* reranker.rerank({ query, documents })
      const other = yield* reranker.rerank({ query, documents, model: "jina-reranker-v3" })
      expect(other.usage.cachedDocuments).toBe(0)
      expect(world.seen.map((s) => [s.model, s.documents.length])).toEqual([
        ["jina-reranker-v2-base-multilingual", 10],
        ["jina-reranker-v3", 10]
      ])
      // Each model's own scores, not the first one's.
      expect(other.results.map((r) => r.score)).not.toEqual(first.results.map((r) => r.score))
      const again = yield* reranker.rerank({ query, documents, model: "jina-reranker-v3" })
      expect(again.usage.cachedDocuments).toBe(10)
      expect(again.results).toEqual(other.results)
    })
  )

  it.effect("two TEI servers (both 'tei', no model name) on one store never serve each other's scores", () =>
    Effect.gen(function* () {
      const world = World.make()
      const store = yield* sharedStore
      const tei = (baseUrl: string) => Tei.layer({ baseUrl, cache: true }).pipe(Layer.provide(store))
      const a = yield* rerankWith(tei("https://tei-a.test"), world, { query, documents })
      const b = yield* rerankWith(tei("https://tei-b.test"), world, { query, documents })
      expect(b.usage).toMatchObject({ cachedDocuments: 0, sentDocuments: 10 })
      expect(world.seen.map((s) => s.host)).toEqual(["tei-a.test", "tei-b.test"])
      const fresh = (host: string) => documents.map((text) => World.score(host, "tei", World.noScoring, query, text))
      expect(a.results.map((r) => r.score).sort()).toEqual(fresh("tei-a.test").sort())
      expect(b.results.map((r) => r.score).sort()).toEqual(fresh("tei-b.test").sort())
      // Each server's own entries are there for it.
      const again = yield* rerankWith(tei("https://tei-b.test"), world, { query, documents })
      expect(again.usage.cachedDocuments).toBe(10)
    })
  )

  it.effect("two keys on one endpoint never share scores unless shareAcrossKeys says so", () =>
    Effect.gen(function* () {
      const world = World.make()
      const store = yield* sharedStore
      const cohere = (key: string, cache: ScoreCache.Options) =>
        Cohere.layer({ apiKey: Redacted.make(key), baseUrl: "https://cohere-a.test", cache }).pipe(Layer.provide(store))
      yield* rerankWith(cohere("tenant-a", {}), world, { query, documents })
      const tenantB = yield* rerankWith(cohere("tenant-b", {}), world, { query, documents })
      expect(tenantB.usage).toMatchObject({ cachedDocuments: 0, sentDocuments: 10 })
      expect(tenantB.usage.searchUnits).toBe(1)
      expect(world.seen.map((s) => s.key)).toEqual(["tenant-a", "tenant-b"])
      // Opted in by both: the second key reads what the first paid for.
      yield* rerankWith(cohere("team-1", { shareAcrossKeys: true }), world, { query, documents })
      const shared = yield* rerankWith(cohere("team-2", { shareAcrossKeys: true }), world, { query, documents })
      expect(shared.usage).toMatchObject({ cachedDocuments: 10, sentDocuments: 0, requests: 0 })
      expect(world.seen.length).toBe(3)
    })
  )
})

describe("windows are sized by the model a call names", () => {
  it.effect("Pinecone: a layer on cohere-rerank-3.5 (200) asked for bge-reranker-v2-m3 (100) sends at most 100", () =>
    Effect.gen(function* () {
      const world = World.make()
      const many = Array.from({ length: 150 }, (_, i) => `passage ${i}`)
      const pinecone = (options: Partial<Pinecone.Options>) =>
        Pinecone.layer({
          apiKey: Redacted.make("k"),
          baseUrl: "https://pinecone-a.test",
          model: "cohere-rerank-3.5",
          ...options
        })
      const bge = yield* rerankWith(pinecone({}), world, { query, documents: many, model: "bge-reranker-v2-m3" })
      expect(world.seen.map((s) => [s.model, s.documents.length])).toEqual([
        ["bge-reranker-v2-m3", 75],
        ["bge-reranker-v2-m3", 75]
      ])
      expect(bge.results.length).toBe(150)
      expect(new Set(bge.results.map((r) => r.index)).size).toBe(150)
      // The layer's own model takes 200 a request: one request.
      yield* rerankWith(pinecone({}), world, { query, documents: many })
      expect(world.seen.at(-1)).toMatchObject({ model: "cohere-rerank-3.5" })
      expect(world.seen.at(-1)!.documents.length).toBe(150)
      // A larger bound of the caller's never passes the model's published limit.
      yield* rerankWith(pinecone({ maxDocumentsPerRequest: 500 }), world, {
        query,
        documents: many,
        model: "pinecone-rerank-v0"
      })
      expect(world.seen.slice(3).map((s) => s.documents.length)).toEqual([75, 75])
    })
  )

  it.effect("with batching off, a call over the named model's limit is refused before sending, naming it", () =>
    Effect.gen(function* () {
      const world = World.make()
      const many = Array.from({ length: 101 }, (_, i) => `passage ${i}`)
      const layer = Pinecone.layer({
        apiKey: Redacted.make("k"),
        baseUrl: "https://pinecone-a.test",
        model: "cohere-rerank-3.5",
        batching: false
      })
      const error = yield* failureOf(rerankWith(layer, world, { query, documents: many, model: "bge-reranker-v2-m3" }))
      expect(error).toMatchObject({
        _tag: "PayloadLimitError",
        limit: 100,
        actual: 101,
        unit: "documents",
        attempts: 0
      })
      expect(world.seen).toEqual([])
      const accepted = yield* rerankWith(layer, world, { query, documents: many })
      expect(accepted.results.length).toBe(101)
    })
  )

  it.effect("Voyage: 1,000 a request whatever the caller's bound", () =>
    Effect.gen(function* () {
      const world = World.make()
      const many = Array.from({ length: 1500 }, (_, i) => `passage ${i}`)
      const voyage = Voyage.layer({
        apiKey: Redacted.make("k"),
        baseUrl: "https://voyage-a.test",
        maxDocumentsPerRequest: 5000
      })
      yield* rerankWith(voyage, world, { query, documents: many })
      expect(world.seen.map((s) => s.documents.length)).toEqual([750, 750])
    })
  )
})

describe("the cache with topN", () => {
  it.effect("every score of a window is asked for and kept: the same call again sends nothing", () =>
    Effect.gen(function* () {
      const world = World.make()
      const layer = Jina.layer({ apiKey: Redacted.make("k"), baseUrl: "https://jina-a.test", cache: true })
      const reranker = yield* Reranker.Reranker.pipe(Effect.provide(layer.pipe(Layer.provide(world.layer))))
      const results = []
      for (let i = 0; i < 4; i++) results.push(yield* reranker.rerank({ query, documents, topN: 2 }))
      expect(world.seen.map((s) => [s.documents.length, s.topN])).toEqual([[10, undefined]])
      expect(world.calls[0].body).not.toHaveProperty("top_n")
      for (const result of results) {
        expect(result.results).toEqual(results[0].results)
        expect(result.results.map((r) => r.rank)).toEqual([1, 2])
      }
      expect(results.map((r) => r.usage.sentDocuments)).toEqual([10, 0, 0, 0])
    })
  )

  it.effect("without the cache, topN still goes to the provider", () =>
    Effect.gen(function* () {
      const world = World.make()
      const layer = Jina.layer({ apiKey: Redacted.make("k"), baseUrl: "https://jina-a.test" })
      yield* rerankWith(layer, world, { query, documents, topN: 2 })
      expect(world.calls[0].body).toMatchObject({ top_n: 2 })
    })
  )
})

describe("Bedrock: a request that cannot be signed", () => {
  it.effect("fails as an InvalidRequestError naming the base URL, not retried, the process unharmed", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make([Scripted.json(200, { results: [] })])
      const layer = Bedrock.layer({
        region: "us-west-2",
        baseUrl: "http://127.0.0.1:9/%E0%A4%A",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: Redacted.make("secret-key-value") }
      })
      const error = yield* failureOf(
        Reranker.rerank({ query, documents }).pipe(Effect.provide(layer.pipe(Layer.provide(scripted.layer))))
      )
      expect(RerankError.isRerankError(error)).toBe(true)
      expect(error).toMatchObject({ _tag: "InvalidRequestError", field: "baseUrl", attempts: 1 })
      expect(error.message).toContain("could not be signed")
      expect(error.message).not.toContain("secret-key-value")
      expect(scripted.calls).toEqual([])
    })
  )
})

describe("base URLs", () => {
  it.effect("a query string is kept after the protocol's path (Azure's ?api-version=)", () =>
    Effect.gen(function* () {
      const world = World.make()
      const key = Redacted.make("k")
      yield* rerankWith(Cohere.layer({ apiKey: key, baseUrl: "https://cohere-a.test/?api-version=2024-10" }), world, {
        query,
        documents
      })
      yield* rerankWith(Jina.layer({ apiKey: key, baseUrl: "https://jina-a.test/base/?x=1&y=2" }), world, {
        query,
        documents
      })
      expect(world.calls.map((c) => c.url)).toEqual([
        "https://cohere-a.test/v2/rerank?api-version=2024-10",
        "https://jina-a.test/base/v1/rerank?x=1&y=2"
      ])
    })
  )

  it.effect("a fragment is refused when the layer is built, naming baseUrl", () =>
    Effect.gen(function* () {
      for (const baseUrl of [
        "https://api.cohere.com/#v2",
        "https://api.cohere.com/v2?x=1#top",
        "https://api.cohere.com#"
      ]) {
        const refused = yield* Scripted.refusal(Cohere.make({ apiKey: Redacted.make("k"), baseUrl }))
        expect(refused).toBe('(Invalid data at baseUrl: "must not have a fragment (#...): a server never sees it")')
      }
    })
  )
})
