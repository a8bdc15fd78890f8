import { Provider, Reranker } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

/** Records every window it is sent; takes instructions as its `support` says. */
const recording = (support: ReturnType<NonNullable<Reranker.Provider["instructionFor"]>>) => {
  const sent: Array<Reranker.WindowRequest> = []
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "steerable",
    model: "s-1",
    pointwise: true,
    instructionFor: (model) => (model === "s-1" ? support : undefined),
    rerankWindow: (request) =>
      Effect.sync(() => {
        sent.push(request)
        return { results: request.documents.map((text, index) => ({ index, score: text.length })) }
      })
  }
  return { provider, sent }
}

describe("instructions, the way each model takes them", () => {
  it.effect("a model with its own field gets it there; the query is untouched; the cache keys on it", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording({ kind: "field" })
      const reranker = yield* Reranker.make(provider, { cache: true })
      yield* reranker.rerank({ query: "q", documents: ["a", "bb"], instruction: "prefer short" })
      expect(sent[0]).toMatchObject({ query: "q", instruction: "prefer short" })
      // Another instruction is another question: nothing comes from the cache.
      const other = yield* reranker.rerank({ query: "q", documents: ["a", "bb"], instruction: "prefer long" })
      expect(other.usage.cachedDocuments).toBe(0)
      const same = yield* reranker.rerank({ query: "q", documents: ["a", "bb"], instruction: "prefer short" })
      expect(same.usage.cachedDocuments).toBe(2)
    })
  )

  it.effect("a model that reads it in the query text gets it in its documented format", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording({ kind: "query", format: (i, q) => `<i>${i}</i><q>${q}</q>` })
      const reranker = yield* Reranker.make(provider, { instruction: "layer default" })
      yield* reranker.rerank({ query: "q", documents: ["a"] })
      yield* reranker.rerank({ query: "q", documents: ["a"], instruction: "per call" })
      expect(sent.map((r) => [r.query, r.instruction])).toEqual([
        ["<i>layer default</i><q>q</q>", undefined],
        ["<i>per call</i><q>q</q>", undefined]
      ])
    })
  )

  it.effect("a model that documents none refuses it, naming itself, before any request; prepend forces the query", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording({ kind: "field" })
      const reranker = yield* Reranker.make(provider)
      const refused = yield* Effect.flip(
        reranker.rerank({ query: "q", documents: ["a"], instruction: "be strict", model: "other" })
      )
      expect(refused).toMatchObject({ _tag: "InvalidRequestError", field: "instruction", attempts: 0 })
      expect(refused.message).toContain("steerable's other takes no instruction")
      expect(sent).toHaveLength(0)
      const forced = yield* Reranker.make(provider, { instructionMode: "prepend" })
      yield* forced.rerank({ query: "q", documents: ["a"], instruction: "be strict", model: "other" })
      expect(sent[0].query).toBe(Provider.prependInstruction("be strict", "q"))
      expect(sent[0].query).toBe("be strict\nq")
      const empty = yield* Effect.flip(reranker.rerank({ query: "q", documents: ["a"], instruction: " " }))
      expect(empty).toMatchObject({ _tag: "InvalidRequestError", field: "instruction" })
      const badMode = yield* Effect.flip(Reranker.make(provider, { instructionMode: "loud" as never }))
      expect(String(badMode)).toContain("instructionMode")
    })
  )
})
