import { Ndcg } from "@effect-rerank/eval"
import { describe, expect, it } from "@effect/vitest"
import { describeConformance, readConformanceJson } from "../../../test-utils/Conformance.js"

describe("Ndcg.ndcgAt, hand-checked", () => {
  it("is 1 for the ideal order, 0 with nothing relevant retrieved or judged", () => {
    expect(Ndcg.ndcgAt(10, ["a", "b"], { a: 2, b: 1 })).toBe(1)
    expect(Ndcg.ndcgAt(10, ["x", "y"], { a: 1 })).toBe(0)
    expect(Ndcg.ndcgAt(10, ["a"], { a: 0 })).toBe(0)
  })

  it("uses linear gain and a log2(rank + 1) discount", () => {
    // One relevant document at rank 2: (1 / log2 3) / (1 / log2 2).
    expect(Ndcg.ndcgAt(10, ["x", "a"], { a: 1 })).toBeCloseTo(1 / Math.log2(3), 12)
    // Gains 1 and 3 swapped: (1 + 3/log2 3) / (3 + 1/log2 3).
    expect(Ndcg.ndcgAt(2, ["b", "a"], { a: 3, b: 1 })).toBeCloseTo((1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 12)
  })

  it("cuts at k and counts a repeated id once", () => {
    expect(Ndcg.ndcgAt(1, ["x", "a"], { a: 1 })).toBe(0)
    expect(Ndcg.ndcgAt(2, ["a", "a", "b"], { a: 1, b: 1 })).toBe(1)
  })
})

describeConformance("Ndcg against ranx and pytrec_eval vectors", () => {
  const vectors = readConformanceJson<Array<any>>("metrics/inline_vectors.json")

  it("ranx README example: ndcg@5 per query and mean", () => {
    const example = vectors[0]
    const perQuery = example.recomputed["ndcg@5_per_query"] as Record<string, number>
    const rankings = new Map<string, Array<string>>()
    for (const [query, expected] of Object.entries(perQuery)) {
      const ranking = Object.entries(example.run[query] as Record<string, number>)
        .sort((a, b) => b[1] - a[1])
        .map(([id]) => id)
      rankings.set(query, ranking)
      expect(Ndcg.ndcgAt(5, ranking, example.qrels[query])).toBeCloseTo(expected, 9)
    }
    const qrels = new Map(Object.entries(example.qrels as Record<string, Record<string, number>>))
    expect(Ndcg.meanNdcgAt(5, rankings, qrels)).toBeCloseTo(example.expected_published["ndcg@5"], 4)
  })

  it("ranx ndcg@10 with linear gain", () => {
    const example = vectors[1]
    for (const [name, ranking] of Object.entries(example.rankings as Record<string, Array<string>>)) {
      expect(Ndcg.ndcgAt(10, ranking, example.qrel)).toBeCloseTo(example["expected_ndcg@10_linear_gain"][name], 9)
    }
  })

  it("pytrec_eval ndcg_cut", () => {
    const example = vectors[5]
    for (const testCase of example.cases) {
      const ranking = Object.entries(testCase.run_q1 as Record<string, number>)
        .sort((a, b) => b[1] - a[1])
        .map(([id]) => id)
      for (const [measure, expected] of Object.entries(testCase.expected as Record<string, number>)) {
        const k = measure === "ndcg" ? 1000 : Number(measure.replace("ndcg_cut_", ""))
        expect(Ndcg.ndcgAt(k, ranking, example.qrel_q1)).toBeCloseTo(expected, 9)
      }
    }
  })
})
