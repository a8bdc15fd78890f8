import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { ConfigError, Duration, Effect, Layer, Option } from "effect"

const documents = ["apples and pears", "bananas", "apples", "cherries and apples and apples"]
// Scores by how often "apples" appears: a deterministic stand-in for a model.
const countApples = (_query: string, text: string) => text.split("apples").length - 1
const TestReranker = Reranker.layerTest(countApples)

const rerank = <A>(
  request: Parameters<typeof Reranker.rerank<A>>[0],
  layer: Layer.Layer<Reranker.Reranker, ConfigError.ConfigError> = TestReranker
) => Reranker.rerank(request).pipe(Effect.provide(layer))

describe("Reranker.layerTest", () => {
  it.effect("reranks best first with 1-based ranks and input indices", () =>
    Effect.gen(function* () {
      const result = yield* rerank({ query: "apples", documents })
      expect(result.results.map((r) => [r.rank, r.index, r.score])).toEqual([
        [1, 3, 2],
        [2, 0, 1],
        [3, 2, 1],
        [4, 1, 0]
      ])
      expect(result.model).toBe("test")
      // The test provider bills nothing: usage is what the provider reports, plus the requests the core made.
      expect(result.usage).toEqual({ searchUnits: 0, requests: 1 })
      expect(result.warnings).toEqual([])
    })
  )

  it.effect("breaks ties by input index, whatever order the provider answers in", () =>
    Effect.gen(function* () {
      const reversed = Reranker.layer({
        specificationVersion: "v2",
        system: "test",
        model: "m",
        rerankWindow: (request) =>
          Effect.succeed({
            results: request.documents.map((_, index) => ({ index, score: 0.5 })).reverse(),
            searchUnits: 1
          })
      })
      const result = yield* rerank({ query: "q", documents }, reversed)
      expect(result.results.map((r) => r.index)).toEqual([0, 1, 2, 3])
    })
  )

  it.effect("topN keeps the best N; minScore filters on the raw score first", () =>
    Effect.gen(function* () {
      expect((yield* rerank({ query: "apples", documents, topN: 2 })).results.map((r) => r.index)).toEqual([3, 0])
      expect((yield* rerank({ query: "apples", documents, minScore: 1 })).results.map((r) => r.index)).toEqual([
        3, 0, 2
      ])
      const both = yield* rerank({ query: "apples", documents, minScore: 2, topN: 3 })
      expect(both.results.map((r) => r.index)).toEqual([3])
    })
  )

  it.effect("returns the caller's own objects through toText, never mutating them", () =>
    Effect.gen(function* () {
      const objects = documents.map((text, id) => Object.freeze({ id, body: { text } }))
      const before = JSON.stringify(objects)
      const result = yield* rerank({ query: "apples", documents: objects, toText: (d) => d.body.text })
      expect(result.results[0].document).toBe(objects[3])
      expect(result.results.map((r) => r.document.id)).toEqual([3, 0, 2, 1])
      expect(JSON.stringify(objects)).toBe(before)
    })
  )

  it.effect("the request's model overrides the default", () =>
    Effect.gen(function* () {
      expect((yield* rerank({ query: "q", documents, model: "other" })).model).toBe("other")
    })
  )
})

describe("Reranker: validation before any request", () => {
  let calls = 0
  const Counting = Reranker.layer({
    specificationVersion: "v2",
    system: "test",
    model: "m",
    rerankWindow: (request) =>
      Effect.sync(() => {
        calls++
        return { results: request.documents.map((_, index) => ({ index, score: 0 })), searchUnits: 1 }
      })
  })

  it.effect("empty documents answer an empty result without a request", () =>
    Effect.gen(function* () {
      calls = 0
      const result = yield* rerank({ query: "q", documents: [] }, Counting)
      expect(result).toEqual({
        results: [],
        model: "m",
        scoreKind: "unbounded",
        usage: { searchUnits: 0, requests: 0 },
        warnings: []
      })
      expect(calls).toBe(0)
    })
  )

  it.effect.each([
    [{ query: "" }, "query"],
    [{ query: "   \n" }, "query"],
    [{ topN: 0 }, "topN"],
    [{ topN: 1.5 }, "topN"],
    [{ minScore: Number.NaN }, "minScore"],
    [{ minScore: Number.POSITIVE_INFINITY }, "minScore"],
    [{ model: "" }, "model"],
    [{ documents: ["fine", "  "] }, "documents[1]"],
    [{ documents: ["fine", 42] }, "documents[1]"],
    [{ documents: [{ a: 1 }], toText: () => "" }, "documents[0]"]
  ] as const)("%o fails with InvalidRequestError naming %s", ([overrides, field]) =>
    Effect.gen(function* () {
      calls = 0
      const request = { query: "q", documents: ["a", "b"], ...overrides } as any
      const error = yield* rerank(request, Counting).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "InvalidRequestError", field, attempts: 0 })
      expect(error.message).toContain(field)
      expect(calls).toBe(0)
    })
  )

  it.effect.each([
    [{ concurrency: 0 }, "concurrency"],
    [{ concurrency: 1.5 }, "concurrency"],
    [{ maxDocumentsPerRequest: 0 }, "maxDocumentsPerRequest"],
    [{ merge: "fancy" }, "merge"],
    [{ batching: "yes" }, "batching"],
    [{ timeout: 0 }, "timeout"],
    [{ timeout: "soon" }, "timeout"],
    [{ totalTimeout: -1 }, "totalTimeout"],
    [{ retry: { maxRetries: -1 } }, "retry.maxRetries"],
    [{ retry: { maxRetries: 1.5 } }, "retry.maxRetries"],
    [{ retry: { base: 0 } }, "retry.base"],
    [{ retry: { cap: 0 } }, "retry.cap"]
  ] as const)("%o fails at construction with a ConfigError naming %s", ([options, path]) =>
    Effect.gen(function* () {
      const error = yield* Reranker.makeTest(countApples, options as any).pipe(Effect.flip)
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(error).toMatchObject({ _op: "InvalidData", path: [path] })
    })
  )
})

describe("RerankError", () => {
  it("isRetryable follows the error table", () => {
    const common = { attempts: 1 }
    expect(RerankError.isRetryable(new RerankError.RateLimitError({ ...common, retryAfter: Option.none() }))).toBe(true)
    expect(RerankError.isRetryable(new RerankError.TransportError({ ...common, reason: "x" }))).toBe(true)
    for (const status of [500, 502, 503, 504]) {
      expect(RerankError.isRetryable(new RerankError.ServiceError({ ...common, status }))).toBe(true)
    }
    for (const status of [499, 501, 505]) {
      expect(RerankError.isRetryable(new RerankError.ServiceError({ ...common, status }))).toBe(false)
    }
    expect(
      RerankError.isRetryable(
        new RerankError.TimeoutError({ ...common, timeout: Duration.seconds(1), scope: "attempt" })
      )
    ).toBe(true)
    expect(
      RerankError.isRetryable(new RerankError.TimeoutError({ ...common, timeout: Duration.seconds(1), scope: "total" }))
    ).toBe(false)
    expect(RerankError.isRetryable(new RerankError.AuthenticationError({ ...common, reason: "invalid-key" }))).toBe(
      false
    )
    expect(RerankError.isRetryable(new RerankError.InvalidRequestError({ ...common, reason: "x" }))).toBe(false)
    expect(
      RerankError.isRetryable(new RerankError.PayloadLimitError({ ...common, limit: 1, actual: 2, unit: "documents" }))
    ).toBe(false)
    expect(RerankError.isRetryable(new RerankError.ResponseDecodeError({ ...common, reason: "x" }))).toBe(false)
  })

  it("messages tell the user what to do, and name no vendor", () => {
    const auth = new RerankError.AuthenticationError({ reason: "invalid-key", attempts: 1 })
    expect(auth.message).toContain("check the key")
    expect(auth.message).not.toMatch(/cohere/i)
    expect(new RerankError.ResponseDecodeError({ reason: "x" }).message).not.toMatch(/cohere/i)
    expect(new RerankError.AuthenticationError({ reason: "invalid-key", hint: "Set ACME_KEY." }).message).toContain(
      "Set ACME_KEY."
    )
    expect(
      new RerankError.PayloadLimitError({ limit: 1000, actual: 1200, unit: "documents", attempts: 0 }).message
    ).toContain("enable batching")
  })

  it("isRerankError recognises every tag and nothing else", () => {
    expect(RerankError.isRerankError(new RerankError.TransportError({ reason: "x", attempts: 1 }))).toBe(true)
    expect(RerankError.isRerankError({ _tag: "Other" })).toBe(false)
    expect(RerankError.isRerankError({ _tag: "TransportError", reason: "x", attempts: 1 })).toBe(false)
    expect(RerankError.isRerankError(new Error("x"))).toBe(false)
    expect(RerankError.isRerankError(null)).toBe(false)
    expect(RerankError.isRerankError(undefined)).toBe(false)
  })
})
