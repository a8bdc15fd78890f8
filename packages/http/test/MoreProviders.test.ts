/**
 * NVIDIA NIM, ZeroEntropy, Contextual AI and OpenRouter through the public API against scripted responses: the exact
 * request each sends, and what is special to each (the catalog's URL per model, logits, the byte budget, the
 * instruction and metadata fields, routing and the reported cost). Vertex AI's are Vertex.test.ts's.
 */
import { Reranker } from "@effect-rerank/core"
import { Contextual, Nim, OpenRouter, ZeroEntropy } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const key = Redacted.make("sk-test-0123456789")
const documents = ["zero", "one", "two", "three", "four", "five"]
const query = "which one?"

const withScript = <E>(
  layer: Layer.Layer<Reranker.Reranker, E, import("@effect/platform").HttpClient.HttpClient>,
  script: ReadonlyArray<Scripted.Step> | Scripted.Answer
) => {
  const scripted = Scripted.make(script)
  return { calls: scripted.calls, layer: layer.pipe(Layer.provide(scripted.layer), Layer.orDie) }
}

/** Every document scored by its position, best last: the answer of a NIM. */
const rankings: Scripted.Answer = (body) =>
  Scripted.json(200, {
    rankings: (body.passages as Array<unknown>).map((_, index) => ({ index, logit: index - 2 })).reverse()
  })

describe("NVIDIA NIM", () => {
  it.effect("the hosted catalog: the model in the URL (dots as underscores), passages as {text}, logits", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(Nim.layer({ apiKey: key, truncate: "END" }), rankings)
      const result = yield* Reranker.rerank({ query, documents, topN: 2 }).pipe(Effect.provide(layer))
      expect(calls[0].url).toBe("https://ai.api.nvidia.com/v1/retrieval/nvidia/llama-3_2-nv-rerankqa-1b-v2/reranking")
      expect(calls[0].headers.authorization).toBe("Bearer sk-test-0123456789")
      // No top N on the wire: a NIM ranks every passage.
      expect(calls[0].body).toEqual({
        model: "nvidia/llama-3.2-nv-rerankqa-1b-v2",
        query: { text: query },
        passages: documents.map((text) => ({ text })),
        truncate: "END"
      })
      expect(result.results.map((r) => [r.index, r.score])).toEqual([
        [5, 3],
        [4, 2]
      ])
      expect(result.scoreKind).toBe("logit")
    })
  )

  it.effect("a NIM of one's own: POST /v1/ranking, no key needed; probabilities through the sigmoid", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(
        Nim.layer({ baseUrl: "http://127.0.0.1:8000", scores: "probability" }),
        rankings
      )
      const result = yield* Reranker.rerank({ query, documents, model: "nvidia/llama-nemotron-rerank-1b-v2" }).pipe(
        Effect.provide(layer)
      )
      expect(calls[0].url).toBe("http://127.0.0.1:8000/v1/ranking")
      expect(calls[0].headers.authorization).toBeUndefined()
      expect(calls[0].body.model).toBe("nvidia/llama-nemotron-rerank-1b-v2")
      expect(result.scoreKind).toBe("probability")
      expect(result.results[0].score).toBeCloseTo(1 / (1 + Math.exp(-3)), 12)
    })
  )

  it.effect("the catalog refuses a call naming another model than its URL's, before sending", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(Nim.layer({ apiKey: key }), rankings)
      const error = yield* Reranker.rerank({ query, documents, model: "nvidia/nv-rerankqa-mistral-4b-v3" }).pipe(
        Effect.provide(layer),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidRequestError")
      if (error._tag === "InvalidRequestError") {
        expect(error.field).toBe("model")
        expect(error.reason).toContain("nvidia/llama-3.2-nv-rerankqa-1b-v2")
      }
      expect(error.attempts).toBe(0)
      expect(calls.length).toBe(0)
    })
  )

  it.effect("the catalog without a key fails at construction, naming NVIDIA_API_KEY", () =>
    Effect.gen(function* () {
      const refused = yield* Scripted.refusal(Nim.make({}))
      expect(refused).toContain("NVIDIA_API_KEY")
      expect(yield* Scripted.refusal(Nim.make({ baseUrl: "http://localhost:8000" }))).toBe("accepted")
      expect(
        yield* Scripted.refusal(Nim.make({ baseUrl: "http://localhost:8000", truncate: "START" as any }))
      ).toContain("truncate")
    })
  )
})

describe("ZeroEntropy", () => {
  const answer: Scripted.Answer = (body) =>
    Scripted.json(200, {
      results: (body.documents as Array<string>).map((_, index) => ({ index, relevance_score: index / 10 })).reverse(),
      total_tokens: 40
    })

  it.effect("POST /v1/models/rerank with top_n and latency only when set; tokens reported", () =>
    Effect.gen(function* () {
      const bare = withScript(ZeroEntropy.layer({ apiKey: key }), answer)
      yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(bare.layer))
      expect(bare.calls[0].url).toBe("https://api.zeroentropy.dev/v1/models/rerank")
      expect(bare.calls[0].body).toEqual({ model: "zerank-2", query, documents })
      const fast = withScript(ZeroEntropy.layer({ apiKey: key, latency: "fast" }), answer)
      const result = yield* Reranker.rerank({ query, documents, topN: 2 }).pipe(Effect.provide(fast.layer))
      expect(fast.calls[0].body).toEqual({ model: "zerank-2", query, documents, top_n: 2, latency: "fast" })
      expect(result.usage.billed).toEqual({ unit: "tokens", quantity: 40, source: "reported" })
      expect(result.scoreKind).toBe("probability")
    })
  )

  it.effect("a window past its 5,000,000 counted bytes is refused before sending, in its unit", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(ZeroEntropy.layer({ apiKey: key }), answer)
      // 3 documents of 1.7 MB each: 5.1 MB of text, plus 150 bytes and the query per document.
      const big = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(1_700_000))
      const error = yield* Reranker.rerank({ query, documents: big }).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("PayloadLimitError")
      if (error._tag === "PayloadLimitError") {
        expect(error.unit).toBe("bytes")
        expect(error.limit).toBe(5_000_000)
        expect(error.actual).toBe(ZeroEntropy.countedBytes(query, big))
        expect(error.actual).toBe(3 * (150 + query.length + 1_700_000))
      }
      expect(calls.length).toBe(0)
    })
  )
})

describe("Contextual AI", () => {
  const answer: Scripted.Answer = (body) =>
    Scripted.json(200, {
      results: (body.documents as Array<string>).map((_, index) => ({ index, relevance_score: index })).reverse()
    })

  it.effect("the instruction in its own field, the query left as it is", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(Contextual.layer({ apiKey: key }), answer)
      yield* Reranker.rerank({ query, documents, topN: 3, instruction: "Prefer recent documents." }).pipe(
        Effect.provide(layer)
      )
      expect(calls[0].url).toBe("https://api.contextual.ai/v1/rerank")
      expect(calls[0].body).toEqual({
        query,
        documents,
        model: "ctxl-rerank-v2-instruct-multilingual",
        top_n: 3,
        instruction: "Prefer recent documents."
      })
    })
  )

  it.effect("metadata fields go to `metadata`, one entry per document, the others to the text", () =>
    Effect.gen(function* () {
      const items = [
        { title: "Q3 prices", body: "RTX at $1,999", date: "2025-10-01", source: "sales" },
        { title: "Old list", body: "RTX at $2,499", date: "2024-01-15" }
      ]
      const { calls, layer } = withScript(Contextual.layer({ apiKey: key, metadata: ["date", "source"] }), answer)
      const result = yield* Reranker.rerank({
        query,
        documents: items,
        fields: ["title", "body", "date", "source"],
        instruction: "More recent documents first."
      }).pipe(Effect.provide(layer))
      expect(calls[0].body.documents).toEqual([
        "title: Q3 prices\nbody: RTX at $1,999",
        "title: Old list\nbody: RTX at $2,499"
      ])
      expect(calls[0].body.metadata).toEqual(["date: 2025-10-01\nsource: sales", "date: 2024-01-15"])
      expect(result.results[0].document).toBe(items[1])
    })
  )

  it.effect("a document left with nothing but metadata is refused before sending, naming it", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(Contextual.layer({ apiKey: key, metadata: ["date"] }), answer)
      const error = yield* Reranker.rerank({
        query,
        documents: [{ title: "a", date: "2025" }, { date: "2024" }],
        fields: ["title", "date"]
      }).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("InvalidRequestError")
      if (error._tag === "InvalidRequestError") expect(error.reason).toContain("document 1")
      expect(calls.length).toBe(0)
    })
  )
})

describe("OpenRouter", () => {
  const answer =
    (cost: number | undefined): Scripted.Answer =>
    (body) =>
      Scripted.json(200, {
        id: "gen-rerank-1",
        model: body.model,
        provider: "Cohere",
        results: (body.documents as Array<string>)
          .map((text, index) => ({ index, relevance_score: index / 10, document: { text } }))
          .reverse(),
        usage: { search_units: 1, ...(cost === undefined ? {} : { cost }) }
      })

  it.effect("routing preferences as `provider`, the app's URL and title as headers", () =>
    Effect.gen(function* () {
      const { calls, layer } = withScript(
        OpenRouter.layer({
          apiKey: key,
          model: "cohere/rerank-v4.0-fast",
          routing: { order: ["cohere"], allow_fallbacks: false },
          appUrl: "https://example.app",
          appTitle: "Example"
        }),
        answer(undefined)
      )
      const result = yield* Reranker.rerank({ query, documents, topN: 2 }).pipe(Effect.provide(layer))
      expect(calls[0].url).toBe("https://openrouter.ai/api/v1/rerank")
      expect(calls[0].headers["http-referer"]).toBe("https://example.app")
      expect(calls[0].headers["x-title"]).toBe("Example")
      expect(calls[0].body).toEqual({
        model: "cohere/rerank-v4.0-fast",
        query,
        documents,
        top_n: 2,
        provider: { order: ["cohere"], allow_fallbacks: false }
      })
      expect(result.scoreKind).toBe("probability")
    })
  )

  it.effect("usage.cost of every window is the call's cost, summed, whatever the price table says", () =>
    Effect.gen(function* () {
      const many = Array.from({ length: 2500 }, (_, i) => `document ${i}`)
      const { calls, layer } = withScript(
        OpenRouter.layer({
          apiKey: key,
          prices: { "cohere/rerank-v3.5": { unit: "searchUnits", usd: 100 } }
        }),
        answer(0.002)
      )
      const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer))
      expect(calls.length).toBe(3)
      expect(result.usage.billed).toEqual({ unit: "searchUnits", quantity: 3, source: "reported" })
      expect(result.usage.cost).toBeCloseTo(0.006, 12)
    })
  )

  it.effect("without a reported cost, the price table's: never a partial sum", () =>
    Effect.gen(function* () {
      const { layer } = withScript(
        OpenRouter.layer({ apiKey: key, prices: { "*": { unit: "searchUnits", usd: 2, per: 1000 } } }),
        answer(undefined)
      )
      const result = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
      expect(result.usage.cost).toBeCloseTo(0.002, 12)
      // A cost that is not a non-negative number is not a cost: the body is refused, not believed.
      const lying = withScript(OpenRouter.layer({ apiKey: key, retry: { maxRetries: 0 } }), answer(-5))
      const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(lying.layer), Effect.flip)
      expect(error._tag).toBe("ResponseDecodeError")
    })
  )
})
