import { Billing, Reranker, RerankMetrics } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricLabel } from "effect"

/** Bills tokens as a provider reports them: 10 per document, the first window reported, the rest computed. */
const tokenProvider = (system: string, prices?: Billing.Prices): Reranker.Provider => {
  let windows = 0
  return {
    specificationVersion: "v2",
    system,
    model: "tok-1",
    maxDocumentsPerRequest: 2,
    pointwise: true,
    ...(prices === undefined ? {} : { prices }),
    rerankWindow: ({ documents }) =>
      Effect.sync(() => ({
        results: documents.map((text, index) => ({ index, score: text.length })),
        billed: {
          unit: "tokens" as const,
          quantity: 10 * documents.length,
          source: windows++ === 0 ? "reported" : "computed"
        }
      }))
  }
}

const documents = ["a", "bb", "ccc", "dddd", "eeeee"]

describe("usage.billed and usage.cost", () => {
  it.effect("summed over windows, marked computed when any window's figure was; cache hits are not billed", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make(tokenProvider("billing-sum"), { cache: true })
      const first = yield* reranker.rerank({ query: "q", documents: documents.slice(0, 2) })
      expect(first.usage.billed).toEqual({ unit: "tokens", quantity: 20, source: "reported" })
      const second = yield* reranker.rerank({ query: "q", documents })
      // Two from the cache, three sent in two windows.
      expect(second.usage.billed).toEqual({ unit: "tokens", quantity: 30, source: "computed" })
      expect(second.usage.cost).toBeUndefined()
    })
  )

  it.effect("cost from the caller's prices before the provider's, by model or '*'", () =>
    Effect.gen(function* () {
      const providerPrices = { "tok-1": { unit: "tokens" as const, usd: 1, per: 1_000 } }
      const byProvider = yield* Reranker.make(tokenProvider("billing-default", providerPrices))
      const cheap = yield* byProvider.rerank({ query: "q", documents })
      expect(cheap.usage.cost).toBeCloseTo(0.05, 10)
      const byCaller = yield* Reranker.make(tokenProvider("billing-caller", providerPrices), {
        prices: { "*": { unit: "tokens", usd: 2, per: 1_000_000 } }
      })
      const result = yield* byCaller.rerank({ query: "q", documents })
      expect(result.usage.cost).toBeCloseTo(50 * 2e-6, 12)
      const cost = yield* Metric.value(
        Metric.taggedWithLabels(RerankMetrics.cost, [
          MetricLabel.make("gen_ai.system", "billing-caller"),
          MetricLabel.make("gen_ai.request.model", "tok-1")
        ])
      )
      expect(cost.count).toBeCloseTo(1e-4, 12)
    })
  )

  it.effect("a price in another unit gives no cost and says why; a bad price table is a ConfigError", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make(tokenProvider("billing-mismatch"), {
        prices: { "tok-1": { unit: "searchUnits", usd: 2, per: 1000 } }
      })
      const result = yield* reranker.rerank({ query: "q", documents })
      expect(result.usage.cost).toBeUndefined()
      expect(result.warnings).toContain(
        "the price of tok-1 is per searchUnits, but billing-mismatch bills tokens: no cost computed"
      )
      const bad = yield* Effect.flip(
        Reranker.make(tokenProvider("billing-bad"), { prices: { "tok-1": { unit: "tokens", usd: -1 } } })
      )
      expect(String(bad)).toContain("prices")
      expect(String(bad)).toContain("usd")
      const badUnit = yield* Effect.flip(
        Reranker.make(tokenProvider("billing-bad"), { prices: { "*": { unit: "words" as never, usd: 1 } } })
      )
      expect(String(badUnit)).toContain("unit")
    })
  )

  it("Billing.sum: one unit or nothing", () => {
    expect(Billing.sum([])).toBeUndefined()
    expect(
      Billing.sum([
        { unit: "tokens", quantity: 1, source: "reported" },
        { unit: "queries", quantity: 1, source: "computed" }
      ])
    ).toBeUndefined()
    expect(Billing.sum([{ unit: "queries", quantity: 2, source: "computed" }, undefined])).toBeUndefined()
  })
})
