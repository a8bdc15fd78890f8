import { Normalization } from "@effect-rerank/rrf"
import { describe, expect, it } from "@effect/vitest"

describe("Normalization.normalize", () => {
  const scores = [4, 2, 1]
  it.each([
    ["none", [4, 2, 1]],
    ["min-max", [1, 1 / 3, 0]],
    ["max", [1, 0.5, 0.25]],
    ["sum", [4 / 7, 2 / 7, 1 / 7]],
    ["rank", [1, 2 / 3, 1 / 3]]
  ] as const)("%s", (method, expected) => {
    Normalization.normalize(scores, method).forEach((s, i) => expect(s).toBeCloseTo(expected[i], 12))
  })

  it("z-score has mean 0 and unit population deviation", () => {
    const z = Normalization.normalize(scores, "z-score")
    const mean = z.reduce((a, b) => a + b) / z.length
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length
    expect(mean).toBeCloseTo(0, 12)
    expect(variance).toBeCloseTo(1, 12)
  })

  it("constant rankings never divide by zero", () => {
    expect(Normalization.normalize([3, 3], "min-max")).toEqual([1, 1])
    // Scores need not arrive sorted (a ranking by distance, say): the bounds are the true min and max.
    expect(Normalization.normalize([0.2, 0.9, 0.5], "min-max")).toEqual([0, 1, 0.3 / 0.7])
    expect(Normalization.normalize([1, 4, 2], "max")).toEqual([0.25, 1, 0.5])
    expect(Normalization.normalize([3, 3], "z-score")).toEqual([0, 0])
    expect(Normalization.normalize([0, 0], "max")).toEqual([0, 0])
    expect(Normalization.normalize([0, 0], "sum")).toEqual([0, 0])
  })
})
