/**
 * Score normalizations applied to each ranking before score-based fusion, so that rankings whose scores live on
 * different scales (BM25 and cosine similarity, say) can be summed meaningfully.
 *
 * Each function maps one ranking's scores (in ranking order) to new scores in the same order.
 *
 * @since 0.1.1
 */

/**
 * - `"none"`: raw scores.
 * - `"min-max"`: `(s - min) / (max - min)`; a ranking whose scores are all equal maps to 1.
 * - `"max"`: `s / max`.
 * - `"sum"`: `s / Σs`.
 * - `"z-score"`: `(s - mean) / std` (population standard deviation); a constant ranking maps to 0.
 * - `"rank"`: `1 - (rank - 1) / n`, ignoring the raw scores: 1 for the first of n items, 1/n for the last.
 *
 * @since 0.1.1
 * @category models
 */
export type Normalization = "none" | "min-max" | "max" | "sum" | "z-score" | "rank"

/**
 * The normalization names, for validating user input (CLI flags, config).
 *
 * @since 0.1.1
 * @category constants
 */
export const normalizations: ReadonlyArray<Normalization> = ["none", "min-max", "max", "sum", "z-score", "rank"]

/**
 * Normalizes one ranking's scores. Pure; allocates one output array.
 *
 * @since 0.1.1
 * @category normalization
 */
export const normalize = (scores: ReadonlyArray<number>, method: Normalization): Array<number> => {
  const n = scores.length
  switch (method) {
    case "none":
      return scores.slice()
    case "rank":
      return scores.map((_, i) => 1 - i / n)
    case "min-max": {
      let min = Infinity
      let max = -Infinity
      for (const s of scores) {
        if (s < min) min = s
        if (s > max) max = s
      }
      const range = max - min
      return scores.map((s) => (range === 0 ? 1 : (s - min) / range))
    }
    case "max": {
      let max = -Infinity
      for (const s of scores) if (s > max) max = s
      return scores.map((s) => (max === 0 ? 0 : s / max))
    }
    case "sum": {
      let sum = 0
      for (const s of scores) sum += s
      return scores.map((s) => (sum === 0 ? 0 : s / sum))
    }
    case "z-score": {
      let mean = 0
      for (const s of scores) mean += s
      mean /= n
      let variance = 0
      for (const s of scores) variance += (s - mean) ** 2
      const std = Math.sqrt(variance / n)
      return scores.map((s) => (std === 0 ? 0 : (s - mean) / std))
    }
  }
}
