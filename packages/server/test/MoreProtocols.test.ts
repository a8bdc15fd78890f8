/**
 * The server's half of NVIDIA NIM, Vertex AI, ZeroEntropy, Contextual AI and OpenRouter, as each one's own clients
 * read it: response shapes under each provider's field names, each one's checks on bad bodies and its error shape,
 * and Vertex's route template (any project, location and ranking config; logged and measured as the template).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { FaultInjection } from "@effect-rerank/server"
import * as LocalServer from "./LocalServer.js"

const post = LocalServer.post

const docs = ["the cat sat", "capital of france is paris", "dogs bark"]
const query = "capital of france"
const vertexPath = "/vertex/v1/projects/my-project/locations/global/rankingConfigs/default_ranking_config:rank"

describe("the response shapes of the providers added on the registry", () => {
  it.scopedLive("NVIDIA NIM: rankings[].{index, logit} for every passage, best first", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const { body, status } = yield* post(`${base}/nim/v1/ranking`, {
        model: "nvidia/llama-3.2-nv-rerankqa-1b-v2",
        query: { text: query },
        passages: docs.map((text) => ({ text })),
        truncate: "END"
      })
      expect(status).toBe(200)
      expect(body.rankings.length).toBe(3)
      expect(body.rankings[0]).toEqual({ index: 1, logit: expect.any(Number) })
      const missing = yield* post(`${base}/nim/v1/ranking`, { query: { text: query }, passages: [{ title: "x" }] })
      expect([missing.status, missing.body]).toEqual([400, { detail: "invalid request: passages[0].text is required" }])
    })
  )

  it.scopedLive("Vertex AI: records answered by id, details unless ignored, topN of 0 meaning all", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const records = docs.map((content, i) => ({ id: `doc-${i}`, title: `Title ${i}`, content }))
      const full = yield* post(`${base}${vertexPath}`, { query, records, topN: 0 })
      expect(full.status).toBe(200)
      expect(full.body.records.length).toBe(3)
      expect(full.body.records[0]).toEqual({
        id: "doc-1",
        score: expect.any(Number),
        title: "Title 1",
        content: docs[1]
      })
      const bare = yield* post(`${base}/vertex/v1/projects/123456/locations/eu/rankingConfigs/my_config:rank`, {
        query,
        records,
        topN: 1,
        ignoreRecordDetailsInResponse: true
      })
      expect(bare.body).toEqual({ records: [{ id: "doc-1", score: expect.any(Number) }] })
      const repeated = yield* post(`${base}${vertexPath}`, { query, records: [records[0], records[0]] })
      expect([repeated.status, repeated.body.error.status, repeated.body.error.message]).toEqual([
        400,
        "INVALID_ARGUMENT",
        "invalid request: records[1].id repeats an earlier record's id"
      ])
      const empty = yield* post(`${base}${vertexPath}`, { query, records: [{ id: "a" }] })
      expect(empty.body.error.message).toBe("invalid request: records[0] must have a title or a content")
    })
  )

  it.scopedLive("Vertex AI's route: the template in the 404 text, a GET is 405, the path's segments never logged", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const notFound = yield* post(`${base}/vertex/v1/projects/p/locations/global/rankingConfigs/c:search`, {})
      expect(notFound.status).toBe(404)
      expect(notFound.body.message).toContain(
        "/vertex/v1/projects/{project}/locations/{location}/rankingConfigs/{rankingConfig}:rank"
      )
      const get = yield* Effect.promise(() => fetch(`${base}${vertexPath}`))
      expect(get.status).toBe(405)
      yield* post(`${base}${vertexPath}`, { query, records: [{ id: "a", content: "x" }] })
      const metrics = yield* Effect.promise(() => fetch(`${base}/metrics`).then((r) => r.text()))
      expect(metrics).toContain(
        'http_route="/vertex/v1/projects/{project}/locations/{location}/rankingConfigs/{rankingConfig}:rank"'
      )
      expect(metrics).not.toContain("my-project")
    })
  )

  it.scopedLive("ZeroEntropy: results, total_bytes as it counts them, total_tokens, the latency mode", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const { body } = yield* post(`${base}/zeroentropy/v1/models/rerank`, {
        model: "zerank-2",
        query,
        documents: docs,
        top_n: 2,
        latency: "slow"
      })
      expect(body.results).toEqual([
        { index: 1, relevance_score: expect.any(Number) },
        { index: expect.any(Number), relevance_score: expect.any(Number) }
      ])
      expect(body.total_bytes).toBe(docs.reduce((sum, d) => sum + 150 + query.length + d.length, 0))
      expect(body).toMatchObject({ total_tokens: 0, actual_latency_mode: "fast" })
      const bad = yield* post(`${base}/zeroentropy/v1/models/rerank`, { query, documents: docs, latency: "soon" })
      expect(bad.status).toBe(400)
      expect(bad.body.detail).toContain("latency")
    })
  )

  it.scopedLive(
    "Contextual AI: metadata ranked with its document, one per document; an instruction refused by a reranker that cannot follow one",
    () =>
      Effect.gen(function* () {
        const base = yield* LocalServer.start()
        const { body, status } = yield* post(`${base}/contextual/v1/rerank`, {
          model: "ctxl-rerank-v2-instruct-multilingual",
          query,
          documents: ["the cat sat", "dogs bark"],
          metadata: ["", "source: capital of france atlas"]
        })
        expect(status).toBe(200)
        // The metadata carries the match: the second document wins on it.
        expect(body.results[0]).toEqual({ index: 1, relevance_score: expect.any(Number) })
        const mismatched = yield* post(`${base}/contextual/v1/rerank`, { query, documents: docs, metadata: ["a"] })
        expect([mismatched.status, mismatched.body.detail]).toEqual([
          400,
          "invalid request: metadata must have one entry per document (3), got 1"
        ])
        const instructed = yield* post(`${base}/contextual/v1/rerank`, {
          query,
          documents: docs,
          instruction: "Recent first."
        })
        expect(instructed.status).toBe(400)
        expect(instructed.body.detail).toContain("instruction")
      })
  )

  it.scopedLive("OpenRouter: Cohere-like results, each with its document, an id and usage; its error shape", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const { body } = yield* post(`${base}/openrouter/api/v1/rerank`, {
        model: "cohere/rerank-v3.5",
        query,
        documents: docs,
        top_n: 1
      })
      expect(body).toEqual({
        id: expect.stringMatching(/^gen-rerank-/),
        model: expect.any(String),
        provider: "effect-rerank",
        results: [{ index: 1, relevance_score: expect.any(Number), document: { text: docs[1] } }],
        usage: { search_units: expect.any(Number), total_tokens: 0 }
      })
      const keyed = yield* LocalServer.start({ apiKey: Redacted.make("right") })
      const denied = yield* post(
        `${keyed}/openrouter/api/v1/rerank`,
        { model: "m", query, documents: docs },
        {
          authorization: "Bearer wrong"
        }
      )
      expect([denied.status, denied.body]).toEqual([401, { error: { code: 401, message: "invalid api token" } }])
      const rule = Either.getOrThrow(FaultInjection.parseRule("429:retry-after=3"))
      const limited = yield* LocalServer.start({ faults: { rules: [rule] } })
      const answer = yield* post(`${limited}/openrouter/api/v1/rerank`, { model: "m", query, documents: docs })
      expect([answer.status, answer.headers.get("retry-after"), answer.body.error.code]).toEqual([429, "3", 429])
    })
  )
})
