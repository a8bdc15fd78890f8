import { Chunking, Reranker } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"

/** Scores a text by how many times it says "needle"; records every text it was sent. */
const needles = () => {
  const sent: Array<ReadonlyArray<string>> = []
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "needles",
    model: "n-1",
    maxDocumentsPerRequest: 4,
    pointwise: true,
    rerankWindow: ({ documents }) =>
      Effect.sync(() => {
        sent.push(documents)
        return {
          results: documents.map((text, index) => ({ index, score: text.split("needle").length - 1 }))
        }
      })
  }
  return { provider, sent }
}

const filler = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ")

describe("Chunking.split", () => {
  const words = Either.getOrThrow(Chunking.resolve({ size: 3, overlap: 1 }))

  it("words: chunks of 3 stepping by 2, offsets into the text, the last ending with it", () => {
    const text = "a bb  ccc d\neee f"
    expect(Chunking.split(text, words)).toEqual([
      { text: "a bb  ccc", start: 0, end: 9 },
      { text: "ccc d\neee", start: 6, end: 15 },
      { text: "eee f", start: 12, end: 17 }
    ])
    expect(Chunking.split("short text", words)).toEqual([{ text: "short text", start: 0, end: 10 }])
  })

  it("characters: never a half surrogate pair", () => {
    const chars = Either.getOrThrow(Chunking.resolve({ size: 4, unit: "characters" }))
    const text = "ab😀cdef"
    const chunks = Chunking.split(text, chars)
    for (const chunk of chunks) {
      expect(chunk.text).toBe(text.slice(chunk.start, chunk.end))
      expect(chunk.text).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/)
    }
    expect(chunks.map((c) => c.text).join("")).toContain("😀")
  })

  it.prop(
    "every word is in some chunk, in order, and each chunk is the text between its offsets",
    [
      fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 7 })
    ],
    ([list, size, overlap]) => {
      fc.pre(overlap < size)
      const text = list.join(" ")
      const chunks = Chunking.split(text, Either.getOrThrow(Chunking.resolve({ size, overlap })))
      for (const chunk of chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text)
      expect(chunks[0].start).toBe(0)
      expect(chunks[chunks.length - 1].end).toBe(text.length)
      const covered = new Set(chunks.flatMap((c) => c.text.split(" ").map((_, i) => `${c.start}:${i}`)))
      expect(covered.size).toBeGreaterThan(0)
      for (let i = 1; i < chunks.length; i++) expect(chunks[i].start).toBeLessThanOrEqual(chunks[i - 1].end + 1)
    }
  )

  it("options are checked by name", () => {
    expect(String(Either.flip(Chunking.resolve({ size: 0 })).pipe(Either.getOrThrow))).toContain("chunk.size")
    expect(String(Either.flip(Chunking.resolve({ size: 4, overlap: 4 })).pipe(Either.getOrThrow))).toContain(
      "chunk.overlap"
    )
  })

  it("aggregate: max, the sum of the best two, or the first", () => {
    expect(Chunking.aggregate([0.1, 0.9, 0.5], "max")).toEqual({ score: 0.9, decided: 1 })
    expect(Chunking.aggregate([0.1, 0.9, 0.5], "sumTop2")).toEqual({ score: 1.4, decided: 1 })
    expect(Chunking.aggregate([0.9, 0.1, 0.5], "sumTop2")).toEqual({ score: 1.4, decided: 0 })
    expect(Chunking.aggregate([0.1, 0.9, 0.5], "first")).toEqual({ score: 0.1, decided: 0 })
  })
})

describe("a reranker with chunking", () => {
  const long = `${filler(40)} needle ${filler(40)}`
  const early = `needle ${filler(5)}`

  it.effect("a long document's needle past the first chunk decides its score; the result says where it is", () =>
    Effect.gen(function* () {
      const { provider, sent } = needles()
      const reranker = yield* Reranker.make(provider, { chunk: { size: 10, overlap: 2 } })
      const result = yield* reranker.rerank({ query: "q", documents: [long, "nothing here"], topN: 1 })
      expect(result.results).toHaveLength(1)
      const [best] = result.results
      expect(best.index).toBe(0)
      expect(best.score).toBe(1)
      expect(long.slice(best.chunk!.start, best.chunk!.end)).toContain("needle")
      // Words 32-41 and 40-49 both hold it (word 40): the first of the best decides.
      expect(best.chunk!.index).toBe(4)
      // 10 chunks of the long one (81 words, 10 each, stepping 8) + 1, in windows of at most 4: counted against the
      // provider's limit like documents.
      expect(sent.map((w) => w.length)).toEqual([4, 4, 3])
      // Without chunking (per call), the needle is in the one text the provider saw whole; truncation would lose it.
      const plain = yield* reranker.rerank({ query: "q", documents: [long, early], chunk: false })
      expect(plain.results[0].chunk).toBeUndefined()
    })
  )

  it.effect("per call: the call's chunk options replace the layer's; aggregate sumTop2 and first", () =>
    Effect.gen(function* () {
      const { provider } = needles()
      const reranker = yield* Reranker.make(provider)
      const twice = `needle ${filler(30)} needle ${filler(30)}`
      const once = `${filler(30)} needle needle`
      const max = yield* reranker.rerank({ query: "q", documents: [twice, once], chunk: { size: 10 } })
      // max: `once` has both needles in its last chunk (2) against `twice`'s 1 a chunk.
      expect(max.results.map((r) => [r.index, r.score])).toEqual([
        [1, 2],
        [0, 1]
      ])
      const sum = yield* reranker.rerank({
        query: "q",
        documents: [twice, once],
        chunk: { size: 10, aggregate: "sumTop2" }
      })
      // sumTop2: 1 + 1 for `twice`, 2 + 0 for `once`: a tie, in input order.
      expect(sum.results.map((r) => [r.index, r.score])).toEqual([
        [0, 2],
        [1, 2]
      ])
      const first = yield* reranker.rerank({
        query: "q",
        documents: [twice, once],
        chunk: { size: 10, aggregate: "first" }
      })
      expect(first.results.map((r) => [r.index, r.score, r.chunk?.index])).toEqual([
        [0, 1, 0],
        [1, 0, 0]
      ])
    })
  )

  it.effect("chunks are cached one by one: a document seen before costs nothing; minScore applies to documents", () =>
    Effect.gen(function* () {
      const { provider, sent } = needles()
      const reranker = yield* Reranker.make(provider, { chunk: { size: 10 }, cache: true })
      yield* reranker.rerank({ query: "q", documents: [long] })
      const before = sent.flat().length
      const again = yield* reranker.rerank({ query: "q", documents: [long, "needle alone"], minScore: 1 })
      expect(sent.flat().length - before).toBe(1)
      expect(again.usage.cachedDocuments).toBe(9)
      expect(again.results.map((r) => r.index)).toEqual([0, 1])
    })
  )

  it.effect("bad chunk options: a ConfigError on the layer, an InvalidRequestError on a call, naming the field", () =>
    Effect.gen(function* () {
      const { provider } = needles()
      const bad = yield* Effect.flip(Reranker.make(provider, { chunk: { size: 5, overlap: 9 } }))
      expect(String(bad)).toContain("chunk.overlap")
      const reranker = yield* Reranker.make(provider)
      const refused = yield* Effect.flip(reranker.rerank({ query: "q", documents: ["a"], chunk: { size: -1 } }))
      expect(refused).toMatchObject({ _tag: "InvalidRequestError", field: "chunk.size", attempts: 0 })
    })
  )
})
