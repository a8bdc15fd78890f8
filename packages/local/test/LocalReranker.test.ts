import { Reranker } from "@effect-rerank/core"
import { Analyzer, CorpusStats, LocalReranker } from "@effect-rerank/local"
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { documents, query } from "../../../test-utils/Sample.js"

describe("Analyzer", () => {
  it("lowercases, drops stopwords and stems", () => {
    expect(Analyzer.make().terms("The Measurements of the measured Dielectric constants!")).toEqual([
      "measur",
      "measur",
      "dielectr",
      "constant"
    ])
  })

  it("splits on any non-letter, non-digit, Unicode-aware", () => {
    expect(Analyzer.make().terms("café-au-lait 42nd élan")).toEqual(["café", "au", "lait", "42nd", "élan"])
  })
})

describe("LocalReranker", () => {
  it.effect("ranks the known scenario: Washington, D.C. first, scores in [0, 1]", () =>
    Effect.gen(function* () {
      const result = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(LocalReranker.layer()))
      expect(result.results[0].index).toBe(3)
      expect(result.model).toBe("local-bm25")
      for (const r of result.results) {
        expect(r.score).toBeGreaterThanOrEqual(0)
        expect(r.score).toBeLessThanOrEqual(1)
      }
    })
  )

  it("prefers the query's words side by side", () => {
    const score = LocalReranker.scorer("capital of the United States")
    expect(score("the capital of the United States")).toBeGreaterThan(score("United States capital"))
    expect(LocalReranker.scorer("capital", { proximityWeight: 1 })("capital")).toBeGreaterThan(0)
  })

  it("matches across inflections and ignores stopwords", () => {
    const score = LocalReranker.scorer("measuring dielectric constants")
    expect(score("the dielectric constant was measured")).toBeGreaterThan(0)
    expect(LocalReranker.scorer("the of and")("the of and")).toBe(0)
    expect(score("nothing relevant here")).toBe(0)
  })

  it("weights rare terms above common ones with corpus statistics", () => {
    const corpus = CorpusStats.fromTexts(["common word", "common thing", "common rare"])
    expect(CorpusStats.idf(corpus, "rare")).toBeGreaterThan(CorpusStats.idf(corpus, "common"))
    const score = LocalReranker.scorer("common rare", { corpus })
    expect(score("rare")).toBeGreaterThan(score("common"))
  })

  it.prop(
    "scores are pointwise and in [0, 1]: a text scores the same alone, in any window, in any order",
    [fc.array(fc.lorem({ maxCount: 30 }), { minLength: 1, maxLength: 40 }), fc.lorem({ maxCount: 5 })],
    ([texts, words]) => {
      const query = `${words} x`
      const documents = texts.map((t) => `${t} x`)
      const alone = documents.map(LocalReranker.scorer(query))
      const windowed = Effect.runSync(
        Effect.flatMap(LocalReranker.make({ maxDocumentsPerRequest: 7 }), (r) => r.rerank({ query, documents }))
      )
      const reversed = Effect.runSync(
        Effect.flatMap(LocalReranker.make(), (r) => r.rerank({ query, documents: [...documents].reverse() }))
      )
      for (const r of windowed.results) {
        expect(r.score).toBeGreaterThanOrEqual(0)
        expect(r.score).toBeLessThanOrEqual(1)
        expect(r.score).toBe(alone[r.index])
      }
      for (const r of reversed.results) expect(r.score).toBe(alone[documents.length - 1 - r.index])
    }
  )

  it.effect.each([
    [{ k1: -1 }, "k1"],
    [{ b: 2 }, "b"],
    [{ averageLength: 0 }, "averageLength"],
    [{ proximityWeight: 1.5 }, "proximityWeight"]
  ] as const)("%o fails at construction with a ConfigError naming %s", ([options, field]) =>
    Effect.gen(function* () {
      const error = yield* LocalReranker.make(options).pipe(Effect.flip)
      expect(error).toMatchObject({ _op: "InvalidData", path: [field] })
    })
  )
})

describe("LocalReranker under load", () => {
  it.live("a big call gives the event loop turns while it scores, so other work (a server's small requests) runs", () =>
    Effect.gen(function* () {
      const reranker = yield* LocalReranker.make()
      const documents = Array.from({ length: 2000 }, (_, i) => `passage ${i} about the capital of the united states`)
      let turns = 0
      let scoring = true
      const tick = (): void => {
        if (!scoring) return
        turns++
        setImmediate(tick)
      }
      setImmediate(tick)
      yield* reranker.rerank({ query: "capital", documents })
      scoring = false
      // 2,000 documents in slices of 64: the loop turned between slices, not only once the call was done.
      expect(turns).toBeGreaterThanOrEqual(10)
    })
  )
})
