/**
 * Candidate sets past a provider's per-request limit (Cohere advises at most 1,000 documents) are split into
 * windows, reranked concurrently, and merged back into one ranking over the input positions.
 *
 * @since 0.2.0
 */
import { Fusion } from "@effect-rerank/rrf"
import type * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as OptionSchema from "./OptionSchema.js"

/**
 * How windows' rankings become one:
 * - `"score"`: sort every result by its relevance score. Right when scores are pointwise and share one scale, as
 *   Cohere's do for a given query and model. The default: on the Vaswani collection it reproduces the unbatched
 *   ranking exactly, where RRF loses nDCG@10 (see docs/batching.md).
 * - `"rrf"`: Reciprocal Rank Fusion (k = 60) of the windows' rankings. Over disjoint windows this ranks by position
 *   inside each window (every window's first result ties at 1/(k+1)); use it when scores are not comparable across
 *   requests. Ties are broken by raw score, then input position.
 *
 * @since 0.2.0
 * @category models
 */
export type Merge = "score" | "rrf"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /**
   * Most documents in one request. Default: the provider's own limit for the model a call names (1,000 when it
   * publishes none). Never more than a limit the provider publishes for that model.
   */
  readonly maxDocumentsPerRequest?: number | undefined
  /** When false, a call over `maxDocumentsPerRequest` fails with `PayloadLimitError` instead. Default true. */
  readonly batching?: boolean | undefined
  /** Most windows in flight at once. Default 4. */
  readonly concurrency?: number | undefined
  /** Default `"score"`. */
  readonly merge?: Merge | undefined
  /**
   * A budget of windows (provider requests, before retries) for one call: a call that would need more fails with
   * `PayloadLimitError` (unit `documents`, its limit the documents that many windows hold) before any is sent. A
   * gateway bounds what one caller's request may cost upstream with it. Default: no budget.
   */
  readonly maxWindows?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Resolved {
  /** The caller's own bound, if any; the window size of a call also depends on the model it names. */
  readonly maxDocumentsPerRequest: number | undefined
  readonly batching: boolean
  readonly concurrency: number
  readonly merge: Merge
  readonly maxWindows: number | undefined
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = { maxDocumentsPerRequest: 1000, batching: true, concurrency: 4, merge: "score" } as const

/**
 * @since 0.2.0
 * @category constants
 */
export const merges: ReadonlyArray<Merge> = ["score", "rrf"]

/**
 * The options' schema: each a `ConfigError` naming the option when it makes no sense.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  maxDocumentsPerRequest: Schema.optional(OptionSchema.PositiveInt),
  batching: Schema.optional(OptionSchema.Flag),
  concurrency: Schema.optional(OptionSchema.PositiveInt),
  merge: Schema.optional(OptionSchema.choice(["score", "rrf"])),
  maxWindows: Schema.optional(OptionSchema.PositiveInt)
})

const decodeOptions = OptionSchema.decoder(OptionsSchema)

/**
 * Checks the values and fills in defaults; `Left` names the first bad option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolve = (options: Options = {}): Either.Either<Resolved, ConfigError.ConfigError> =>
  Either.map(decodeOptions(options), (checked) => ({
    maxDocumentsPerRequest: checked.maxDocumentsPerRequest,
    batching: checked.batching ?? defaults.batching,
    concurrency: checked.concurrency ?? defaults.concurrency,
    merge: checked.merge ?? defaults.merge,
    maxWindows: checked.maxWindows
  }))

/**
 * A contiguous slice of the input: documents `offset` .. `offset + size - 1`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Window {
  readonly offset: number
  readonly size: number
}

/**
 * Splits `total` documents into as few windows of at most `max` as possible, sized as evenly as possible (2,500 at
 * 1,000 gives 834 + 833 + 833), so the windows take about as long as each other.
 *
 * @since 0.2.0
 * @category windows
 */
export const windows = (total: number, max: number): Array<Window> => {
  const count = Math.ceil(total / max)
  const base = Math.floor(total / count)
  const larger = total % count
  const result: Array<Window> = []
  let offset = 0
  for (let i = 0; i < count; i++) {
    const size = base + (i < larger ? 1 : 0)
    result.push({ offset, size })
    offset += size
  }
  return result
}

/**
 * A result located in the caller's input.
 *
 * @since 0.2.0
 * @category models
 */
export interface Scored {
  /** Input position. */
  readonly index: number
  /** Raw relevance score. */
  readonly score: number
}

/**
 * Score descending, then input position ascending: the deterministic order of results.
 *
 * @since 0.2.0
 * @category ordering
 */
export const byScore = (a: Scored, b: Scored): number => b.score - a.score || a.index - b.index

const isSorted = (results: ReadonlyArray<Scored>): boolean => {
  for (let i = 1; i < results.length; i++) if (byScore(results[i - 1], results[i]) > 0) return false
  return true
}

/**
 * Sorted best first by `byScore`: the list itself when it already is (providers usually answer sorted, so the
 * common single-window call sorts nothing), else a sorted copy.
 *
 * @since 0.2.0
 * @category ordering
 */
export const sorted = <S extends Scored>(results: ReadonlyArray<S>): ReadonlyArray<S> =>
  isSorted(results) ? results : results.slice().sort(byScore)

const mergeTwo = <S extends Scored>(a: ReadonlyArray<S>, b: ReadonlyArray<S>): Array<S> => {
  const out = new Array<S>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = byScore(a[i], b[j]) <= 0 ? a[i++] : b[j++]
  while (i < a.length) out[k++] = a[i++]
  while (j < b.length) out[k++] = b[j++]
  return out
}

/**
 * Merges the windows' results (already mapped to input positions) into one list, best first.
 *
 * @since 0.2.0
 * @category merging
 */
export const merge = <S extends Scored>(
  perWindow: ReadonlyArray<ReadonlyArray<S>>,
  strategy: Merge
): ReadonlyArray<S> => {
  if (perWindow.length === 1) return sorted(perWindow[0])
  if (strategy === "score") {
    // Each window is already in order (providers answer sorted): merge them pairwise, O(n log windows).
    let lists = perWindow.map(sorted)
    while (lists.length > 1) {
      const next: Array<ReadonlyArray<S>> = []
      for (let i = 0; i < lists.length; i += 2)
        next.push(i + 1 < lists.length ? mergeTwo(lists[i], lists[i + 1]) : lists[i])
      lists = next
    }
    return lists[0]
  }
  const rankings = perWindow.map(sorted)
  // Keys are input positions, unique across windows and rankings: fusion cannot fail here.
  const fused = Either.getOrThrow(Fusion.rrf(rankings, { key: (r) => r.index }))
  return fused.sort((a, b) => b.score - a.score || byScore(a.item, b.item)).map((f) => f.item)
}
