/**
 * The t-test against the t distribution's closed form for 4 degrees of freedom, Holm against its definition worked by
 * hand; the randomization test and the bootstrap by what they must do (a seed repeats, no difference is p = 1, a
 * large one is small, the interval holds the mean).
 */
import { Significance } from "@effect-rerank/eval"
import { describe, expect, it } from "@effect/vitest"

describe("the paired t-test", () => {
  it("t and the two-sided p, the latter from the closed form of Student's t with 4 degrees of freedom", () => {
    // d = [0.1, 0.2, 0.3, -0.1, 0.2]: mean 0.14, sd 0.151658, t = 2.064187 with 4 degrees of freedom.
    const a = [0.6, 0.7, 0.8, 0.4, 0.7]
    const b = [0.5, 0.5, 0.5, 0.5, 0.5]
    const tested = Significance.pairedTTest(a, b)
    expect(tested.meanDifference).toBeCloseTo(0.14, 12)
    expect(tested.t).toBeCloseTo(2.0642, 4)
    // For 4 degrees of freedom, F(t) = 1/2 + (3/4) u (1 - u^2 / 3) with u = t / sqrt(4 + t^2).
    const u = tested.t / Math.sqrt(4 + tested.t ** 2)
    const closedForm = 2 * (1 - (0.5 + 0.75 * u * (1 - u ** 2 / 3)))
    expect(tested.p).toBeCloseTo(closedForm, 10)
    expect(tested.p).toBeCloseTo(0.10794, 5)
    // Symmetric: the other way round, the same p.
    expect(Significance.pairedTTest(b, a).p).toBeCloseTo(tested.p, 12)
  })

  it("no variation: p 1 when there is no difference, 0 when every query gains the same", () => {
    expect(Significance.pairedTTest([0.5, 0.5], [0.5, 0.5]).p).toBe(1)
    expect(Significance.pairedTTest([0.6, 0.7], [0.5, 0.6]).p).toBe(0)
    expect(() => Significance.pairedTTest([1], [1, 2])).toThrow("one value each")
  })
})

describe("the randomization test", () => {
  const a = Array.from({ length: 40 }, (_, i) => 0.5 + ((i * 37) % 11) / 50)
  it("a seed gives the same p; no difference is 1; a consistent gain is small", () => {
    const b = a.map((x, i) => x - 0.05 - (i % 3) / 100)
    const once = Significance.randomizationTest(a, b, { trials: 2000, seed: 7 })
    expect(Significance.randomizationTest(a, b, { trials: 2000, seed: 7 })).toEqual(once)
    expect(once.p).toBe(1 / 2001)
    expect(Significance.randomizationTest(a, a, { trials: 500 }).p).toBe(1)
  })

  it("agrees with the t-test on noise around zero (both large)", () => {
    const b = a.map((x, i) => x + (i % 2 === 0 ? 0.01 : -0.01))
    expect(Significance.randomizationTest(a, b, { trials: 4000 }).p).toBeGreaterThan(0.5)
    expect(Significance.pairedTTest(a, b).p).toBeGreaterThan(0.5)
  })
})

describe("Holm's correction", () => {
  it("sorted ascending, each p times the hypotheses left, never below the one before, capped at 1", () => {
    expect(Significance.holm([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02])
    expect(Significance.holm([0.5, 0.9])).toEqual([1, 1])
    expect(Significance.holm([])).toEqual([])
  })
})

describe("bootstrap intervals", () => {
  it("hold the mean, narrow with more queries, repeat with a seed", () => {
    const values = Array.from({ length: 100 }, (_, i) => ((i * 53) % 100) / 100)
    const interval = Significance.bootstrap(values, { seed: 3 })
    expect(interval.mean).toBeCloseTo(0.495, 12)
    expect(interval.low).toBeLessThan(interval.mean)
    expect(interval.high).toBeGreaterThan(interval.mean)
    // The standard error is about 0.029: a 95% interval about ±0.057.
    expect(interval.high - interval.low).toBeGreaterThan(0.08)
    expect(interval.high - interval.low).toBeLessThan(0.15)
    expect(Significance.bootstrap(values, { seed: 3 })).toEqual(interval)
    const few = Significance.bootstrap(values.slice(0, 10), { seed: 3 })
    expect(few.high - few.low).toBeGreaterThan(interval.high - interval.low)
  })
})
