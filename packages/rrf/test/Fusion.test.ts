import { Fusion } from "@effect-rerank/rrf"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"

interface Hit {
  readonly id: string
  readonly score: number
}
const hit = (id: string, score = 0): Hit => ({ id, score })
const byId = { key: (h: Hit) => h.id, score: (h: Hit) => h.score }
const fuse = (rankings: ReadonlyArray<ReadonlyArray<Hit>>, options: Partial<Fusion.Options<Hit>> = {}) =>
  Either.getOrThrow(Fusion.fuse(rankings, { ...byId, ...options }))

describe("Fusion.fuse, hand-checked", () => {
  const bm25 = [hit("a", 12), hit("b", 9), hit("c", 3)]
  const vector = [hit("b", 0.9), hit("d", 0.8), hit("a", 0.1)]

  it("RRF (k = 60) by default: 1/(k + rank) summed over rankings", () => {
    const fused = fuse([bm25, vector])
    expect(fused.map((f) => f.key)).toEqual(["b", "a", "d", "c"])
    expect(fused[0].score).toBeCloseTo(1 / 62 + 1 / 61, 12)
    expect(fused[1].score).toBeCloseTo(1 / 61 + 1 / 63, 12)
    expect(fused[2].score).toBeCloseTo(1 / 62, 12)
    expect(fused[3].score).toBeCloseTo(1 / 63, 12)
    expect(fused.map((f) => f.rank)).toEqual([1, 2, 3, 4])
  })

  it("explains each item: its rank and raw score in every ranking that holds it", () => {
    const [b] = fuse([bm25, vector])
    expect(b.item).toBe(bm25[1])
    expect(b.contributions).toEqual([
      { ranking: 0, rank: 2, score: Option.some(9) },
      { ranking: 1, rank: 1, score: Option.some(0.9) }
    ])
  })

  it("weights and k change RRF as documented", () => {
    const fused = fuse([bm25, vector], { k: 1, weights: [3, 1] })
    expect(fused.map((f) => f.key)).toEqual(["a", "b", "c", "d"])
    expect(fused[0].score).toBeCloseTo(3 / 2 + 1 / 4, 12)
    expect(fused[2].score).toBeCloseTo(3 / 4, 12)
  })

  it("score methods use normalized scores when asked", () => {
    const fused = fuse([bm25, vector], { method: "combsum", normalize: "min-max" })
    const score = Object.fromEntries(fused.map((f) => [f.key, f.score]))
    expect(score.a).toBeCloseTo(1 + 0, 12)
    expect(score.b).toBeCloseTo(6 / 9 + 1, 12)
    expect(score.c).toBeCloseTo(0, 12)
    expect(score.d).toBeCloseTo(0.7 / 0.8, 12)
  })

  it("keeps the best topN", () => {
    expect(fuse([bm25, vector], { topN: 2 }).map((f) => f.key)).toEqual(["b", "a"])
  })

  it("breaks ties by best rank, then by the earlier ranking", () => {
    const fused = fuse([
      [hit("x"), hit("y")],
      [hit("z"), hit("w")]
    ])
    expect(fused.map((f) => f.key)).toEqual(["x", "z", "y", "w"])
  })

  it("fuses nothing into nothing", () => {
    expect(fuse([])).toEqual([])
    expect(fuse([[], []])).toEqual([])
  })
})

describe("Fusion.fuse, bad input", () => {
  const rankings = [[hit("a", 1)], [hit("a", 2)]]
  const errorOf = (options: Partial<Fusion.Options<Hit>>, input = rankings) =>
    Fusion.fuse(input, { ...byId, ...options }).pipe(Either.flip, Either.getOrThrow)

  it.each([
    [{ k: 0 }, "k"],
    [{ k: -5 }, "k"],
    [{ k: Number.NaN }, "k"],
    [{ weights: [1] }, "weights"],
    [{ weights: [1, Number.NaN] }, "weights"],
    [{ weights: [1, -1] }, "weights"],
    [{ topN: 0 }, "topN"],
    [{ sigma: 0 }, "sigma"],
    [{ method: "nope" as Fusion.Method }, "method"]
  ] as const)("%o is rejected naming %s", (options, input) => {
    const error = errorOf(options)
    expect(error._tag).toBe("FusionError")
    expect(error.input).toBe(input)
    expect(error.message).toContain(input)
  })

  it("rejects a NaN score, naming where it is", () => {
    const error = errorOf({}, [[hit("a", 1)], [hit("b", 2), hit("c", Number.NaN)]])
    expect(error.input).toBe("rankings[1][1].score")
  })

  it("rejects a key repeated inside one ranking", () => {
    const error = errorOf({}, [[hit("a"), hit("a")]])
    expect(error.input).toBe("rankings[0][1]")
  })

  it("score-based methods need a score function", () => {
    const error = Fusion.fuse(rankings, { key: (h) => h.id, method: "combmnz" }).pipe(Either.flip, Either.getOrThrow)
    expect(error.input).toBe("score")
  })
})

// Rankings over a small key space so that items overlap; scores distinct per ranking.
const rankingsArbitrary = fc
  .array(fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 15 }), { minLength: 1, maxLength: 5 })
  .map((rankings) => rankings.map((keys) => keys.map((k, i) => hit(`d${k}`, 100 - i + k / 1000))))

const symmetric: ReadonlyArray<Fusion.Method> = Fusion.methods.filter((m) => m !== "condorcet")

describe("Fusion.fuse, properties", () => {
  it.prop(
    "the fused score of every item does not depend on the order of the rankings",
    [rankingsArbitrary],
    ([rankings]) => {
      for (const method of symmetric) {
        const forward = new Map(fuse(rankings, { method }).map((f) => [f.key, f.score]))
        const reversed = new Map(fuse(rankings.slice().reverse(), { method }).map((f) => [f.key, f.score]))
        expect(reversed.size).toBe(forward.size)
        for (const [key, score] of forward) expect(reversed.get(key)).toBeCloseTo(score, 9)
      }
    }
  )

  it.prop("an item ranked first in every ranking is first", [rankingsArbitrary], ([rankings]) => {
    const top = hit("top", 1000)
    const withTop = rankings.map((ranking) => [top, ...ranking])
    for (const method of Fusion.methods) expect(fuse(withTop, { method })[0].key).toBe("top")
  })

  it.prop(
    "scores are finite and ordered, ranks are 1..n, every input item appears once",
    [rankingsArbitrary],
    ([rankings]) => {
      const keys = new Set(rankings.flat().map((h) => h.id))
      for (const method of Fusion.methods) {
        const fused = fuse(rankings, { method })
        expect(new Set(fused.map((f) => f.key))).toEqual(keys)
        expect(fused.length).toBe(keys.size)
        fused.forEach((f, i) => {
          expect(Number.isFinite(f.score)).toBe(true)
          expect(f.rank).toBe(i + 1)
          if (i > 0) expect(fused[i - 1].score).toBeGreaterThanOrEqual(f.score)
        })
      }
    }
  )

  it.prop("equal fused scores are ordered by best rank, then earlier ranking", [rankingsArbitrary], ([rankings]) => {
    const fused = fuse(rankings)
    for (let i = 1; i < fused.length; i++) {
      if (fused[i - 1].score !== fused[i].score) continue
      const best = (f: Fusion.Fused<Hit>) =>
        f.contributions.reduce((a, c) => (c.rank < a.rank ? c : a), f.contributions[0])
      const [a, b] = [best(fused[i - 1]), best(fused[i])]
      expect(a.rank < b.rank || (a.rank === b.rank && a.ranking < b.ranking)).toBe(true)
    }
  })
})
