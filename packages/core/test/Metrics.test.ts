import { Reranker, RerankError, RerankMetrics } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Metric, MetricLabel, TestClock } from "effect"

/**
 * Effect's metrics live in one registry per process: every test here uses a system name of its own, so the counts
 * it reads are its own.
 */
const provider = (
  system: string,
  script: (call: number) => "ok" | RerankError.RerankError,
  searchUnits = 0
): Reranker.Provider => {
  let calls = 0
  return {
    specificationVersion: "v2",
    system,
    model: `${system}-model`,
    maxDocumentsPerRequest: 3,
    pointwise: true,
    rerankWindow: ({ documents }) =>
      Effect.suspend(() => {
        const step = script(calls++)
        if (step !== "ok") return Effect.fail(step)
        return Effect.succeed({
          results: documents.map((text, index) => ({ index, score: text.length })),
          searchUnits
        })
      })
  }
}

const count = (metric: Metric.Metric.Counter<number>, labels: Record<string, string>) =>
  Effect.map(
    Metric.value(
      Metric.taggedWithLabels(
        metric,
        Object.entries(labels).map(([k, v]) => MetricLabel.make(k, v))
      )
    ),
    (state) => state.count
  )

const histogram = (metric: typeof RerankMetrics.quotaWait, labels: Record<string, string>) =>
  Metric.value(
    Metric.taggedWithLabels(
      metric,
      Object.entries(labels).map(([k, v]) => MetricLabel.make(k, v))
    )
  )

const documents = ["one", "two", "three", "four", "five", "six"]

describe("RerankMetrics: what a reranker records", () => {
  it.effect("calls, attempts by outcome and status, retries by error, windows, documents sent, billed units", () =>
    Effect.gen(function* () {
      const system = "metrics-calls"
      const reranker = yield* Reranker.make(
        provider(system, (call) => (call === 0 ? new RerankError.ServiceError({ status: 503 }) : "ok"), 1),
        { concurrency: 1 }
      )
      const once = reranker.rerank({ query: "q", documents })
      // The same effect run twice records twice.
      const fiber = yield* Effect.fork(Effect.zip(once, once))
      yield* TestClock.adjust(Duration.minutes(1))
      yield* Fiber.join(fiber)
      const s = { "gen_ai.system": system }
      expect(yield* count(RerankMetrics.calls, { ...s, outcome: "ok" })).toBe(2)
      // Two windows a run, the first attempt of all failing once with 503.
      expect(yield* count(RerankMetrics.attempts, { ...s, outcome: "ok" })).toBe(4)
      expect(
        yield* count(RerankMetrics.attempts, { ...s, outcome: "ServiceError", "http.response.status_code": "503" })
      ).toBe(1)
      expect(yield* count(RerankMetrics.retries, { ...s, "error.type": "ServiceError" })).toBe(1)
      expect(yield* count(RerankMetrics.windows, s)).toBe(4)
      expect(yield* count(RerankMetrics.documentsSent, s)).toBe(12)
      expect(yield* count(RerankMetrics.billedUnits, { ...s, unit: "searchUnits" })).toBe(4)
      const latency = yield* histogram(RerankMetrics.operationDuration, {
        unit: "s",
        ...s,
        "gen_ai.request.model": `${system}-model`,
        "gen_ai.operation.name": "rerank"
      })
      expect(latency.count).toBe(2)
    })
  )

  it.effect("a failed call is counted by its error's tag, with its latency under error.type", () =>
    Effect.gen(function* () {
      const system = "metrics-failed"
      const reranker = yield* Reranker.make(
        provider(system, () => new RerankError.AuthenticationError({ status: 401, reason: "invalid-key" }))
      )
      const outcome = yield* Effect.either(reranker.rerank({ query: "q", documents: ["a"], model: "m2" }))
      expect(outcome._tag).toBe("Left")
      const s = { "gen_ai.system": system }
      expect(yield* count(RerankMetrics.calls, { ...s, outcome: "AuthenticationError" })).toBe(1)
      expect(yield* count(RerankMetrics.calls, { ...s, outcome: "ok" })).toBe(0)
      expect(yield* count(RerankMetrics.retries, { ...s, "error.type": "AuthenticationError" })).toBe(0)
      const latency = yield* histogram(RerankMetrics.operationDuration, {
        unit: "s",
        ...s,
        "gen_ai.request.model": "m2",
        "gen_ai.operation.name": "rerank",
        "error.type": "AuthenticationError"
      })
      expect(latency.count).toBe(1)
    })
  )

  it.effect("documents answered by the cache are counted, and not sent", () =>
    Effect.gen(function* () {
      const system = "metrics-cache"
      const reranker = yield* Reranker.make(
        provider(system, () => "ok"),
        { cache: true }
      )
      yield* reranker.rerank({ query: "q", documents: documents.slice(0, 4) })
      yield* reranker.rerank({ query: "q", documents })
      const s = { "gen_ai.system": system }
      expect(yield* count(RerankMetrics.documentsCached, s)).toBe(4)
      expect(yield* count(RerankMetrics.documentsSent, s)).toBe(6)
      expect(yield* count(RerankMetrics.windows, s)).toBe(3)
    })
  )

  it.effect("each attempt's wait for the quota, in seconds", () =>
    Effect.gen(function* () {
      const system = "metrics-quota"
      const reranker = yield* Reranker.make(
        provider(system, () => "ok"),
        { rateLimit: { limit: 1, window: "10 seconds" } }
      )
      const fiber = yield* Effect.fork(
        Effect.all([
          reranker.rerank({ query: "q", documents: ["a"] }),
          reranker.rerank({ query: "q", documents: ["b"] })
        ])
      )
      yield* TestClock.adjust(Duration.minutes(1))
      yield* Fiber.join(fiber)
      const waits = yield* histogram(RerankMetrics.quotaWait, { unit: "s", "gen_ai.system": system })
      expect(waits.count).toBe(2)
      expect(waits.sum).toBe(10)
      expect(waits.max).toBe(10)
    })
  )

  it("model names past the bound are recorded as other", () => {
    const names = Array.from({ length: RerankMetrics.maxModelNames + 5 }, (_, i) => `made-up-${i}`)
    const recorded = new Set(names.map(RerankMetrics.modelName))
    expect(recorded.has("other")).toBe(true)
    expect(recorded.size).toBeLessThanOrEqual(RerankMetrics.maxModelNames + 1)
    // A name seen before the bound stays itself.
    expect(RerankMetrics.modelName(names[0])).toBe("made-up-0")
  })
})
