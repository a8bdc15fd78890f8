/**
 * Is a difference real? Paired tests over per-query scores (each query measured under both systems): the two-sided
 * paired t-test and the paired randomization test (a sign flip of each query's difference, Fisher's, with a seed),
 * Holm's step-down correction across several comparisons, and percentile bootstrap confidence intervals of a mean.
 * The t distribution is stdlib's (`@stdlib/stats-base-dists-t-cdf`); the random numbers are `pure-rand`'s
 * xoroshiro128+, so that a seed gives the same answer on every machine.
 *
 * @since 0.2.0
 */
import tCdf from "@stdlib/stats-base-dists-t-cdf"
import * as Rand from "pure-rand"

const mean = (values: ReadonlyArray<number>): number => {
  let sum = 0
  for (const value of values) sum += value
  return values.length === 0 ? 0 : sum / values.length
}

const differences = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Array<number> => {
  if (a.length !== b.length) throw new RangeError(`paired samples must have one value each: ${a.length} vs ${b.length}`)
  return a.map((value, i) => value - b[i])
}

/**
 * A paired test's answer: the mean difference (`a - b`) and the two-sided p-value.
 *
 * @since 0.2.0
 * @category models
 */
export interface Tested {
  readonly meanDifference: number
  readonly p: number
}

/**
 * The two-sided paired t-test of `a` against `b` (as scipy's `ttest_rel`). With no variation in the differences the
 * p-value is 1 when they are all 0, else 0; with fewer than two pairs, 1.
 *
 * @since 0.2.0
 * @category tests
 */
export const pairedTTest = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Tested & { readonly t: number } => {
  const d = differences(a, b)
  const n = d.length
  const m = mean(d)
  if (n < 2) return { meanDifference: m, t: 0, p: 1 }
  let squares = 0
  for (const x of d) squares += (x - m) ** 2
  const sd = Math.sqrt(squares / (n - 1))
  if (sd === 0) return { meanDifference: m, t: m === 0 ? 0 : Math.sign(m) * Infinity, p: m === 0 ? 1 : 0 }
  const t = m / (sd / Math.sqrt(n))
  return { meanDifference: m, t, p: Math.min(1, 2 * tCdf(-Math.abs(t), n - 1)) }
}

/**
 * The paired randomization test: how often a random sign on each query's difference gives a mean difference at
 * least as large (in absolute value) as the one observed, over `trials` draws, counted as `(hits + 1) / (trials + 1)`
 * so that it is never 0.
 *
 * @since 0.2.0
 * @category tests
 */
export const randomizationTest = (
  a: ReadonlyArray<number>,
  b: ReadonlyArray<number>,
  options: { readonly trials?: number | undefined; readonly seed?: number | undefined } = {}
): Tested => {
  const d = differences(a, b)
  const observed = Math.abs(mean(d))
  const trials = options.trials ?? 10_000
  const rng = Rand.xoroshiro128plus(options.seed ?? 42)
  // A little slack for the sums of floating point numbers that should tie exactly.
  const bound = observed - 1e-12
  let hits = 0
  for (let t = 0; t < trials; t++) {
    let sum = 0
    for (const x of d) sum += Rand.unsafeUniformIntDistribution(0, 1, rng) === 0 ? x : -x
    if (Math.abs(sum / d.length) >= bound) hits++
  }
  return { meanDifference: mean(d), p: d.length === 0 ? 1 : (hits + 1) / (trials + 1) }
}

/**
 * Holm's step-down adjustment: the p-values in their order, adjusted so that rejecting those under α keeps the
 * family-wise error rate at α.
 *
 * @since 0.2.0
 * @category corrections
 */
export const holm = (ps: ReadonlyArray<number>): Array<number> => {
  const m = ps.length
  const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p)
  const adjusted = new Array<number>(m)
  let running = 0
  order.forEach(({ i, p }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p))
    adjusted[i] = running
  })
  return adjusted
}

/**
 * A confidence interval of a mean.
 *
 * @since 0.2.0
 * @category models
 */
export interface Interval {
  readonly mean: number
  readonly low: number
  readonly high: number
}

/**
 * The percentile bootstrap interval of the mean: `samples` resamples of the values with replacement, the
 * `(1 - level) / 2` and `(1 + level) / 2` quantiles of their means.
 *
 * @since 0.2.0
 * @category intervals
 */
export const bootstrap = (
  values: ReadonlyArray<number>,
  options: {
    readonly samples?: number | undefined
    readonly level?: number | undefined
    readonly seed?: number | undefined
  } = {}
): Interval => {
  const n = values.length
  const m = mean(values)
  if (n === 0) return { mean: 0, low: 0, high: 0 }
  const samples = options.samples ?? 2000
  const level = options.level ?? 0.95
  const rng = Rand.xoroshiro128plus(options.seed ?? 42)
  const means = new Float64Array(samples)
  for (let s = 0; s < samples; s++) {
    let sum = 0
    for (let i = 0; i < n; i++) sum += values[Rand.unsafeUniformIntDistribution(0, n - 1, rng)]
    means[s] = sum / n
  }
  means.sort()
  const at = (q: number) => means[Math.min(samples - 1, Math.max(0, Math.round(q * (samples - 1))))]
  return { mean: m, low: at((1 - level) / 2), high: at((1 + level) / 2) }
}
