/**
 * Long documents, for every provider: each document split into chunks (by words or characters, with overlap), the
 * chunks scored like documents (in windows, against the provider's limits, cached one by one), and each document's
 * score aggregated from its chunks' (`max` by default). Every result says which chunk decided it, with its character
 * offsets in the document's text, for highlighting. Providers truncate long documents silently, so a document would
 * otherwise be judged by its first few hundred words.
 *
 * @since 0.2.0
 */
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as OptionSchema from "./OptionSchema.js"
import { InvalidRequestError } from "./RerankError.js"

/**
 * How a document's score comes from its chunks': the best one (`max`), the sum of the best two (`sumTop2`, which
 * favours a document relevant in more than one place), or the first chunk only (`first`, truncation's answer).
 *
 * @since 0.2.0
 * @category models
 */
export type Aggregate = "max" | "sumTop2" | "first"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Chunk length, in `unit`s. */
  readonly size: number
  /** Units each chunk shares with the one before it. Default 0; less than `size`. */
  readonly overlap?: number | undefined
  /** Default `"words"` (runs of non-space characters). */
  readonly unit?: "words" | "characters" | undefined
  /** Default `"max"`. */
  readonly aggregate?: Aggregate | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Resolved {
  readonly size: number
  readonly overlap: number
  readonly unit: "words" | "characters"
  readonly aggregate: Aggregate
}

/**
 * A chunk of a document's text: `text` is `document.slice(start, end)`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Chunk {
  readonly text: string
  readonly start: number
  readonly end: number
}

/**
 * The chunk that decided a document's score: its position among the document's chunks and its character offsets.
 *
 * @since 0.2.0
 * @category models
 */
export interface Decided {
  readonly index: number
  readonly start: number
  readonly end: number
}

/**
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  size: OptionSchema.PositiveInt,
  overlap: Schema.optional(OptionSchema.NonNegativeInt),
  unit: Schema.optional(OptionSchema.choice(["words", "characters"])),
  aggregate: Schema.optional(OptionSchema.choice(["max", "sumTop2", "first"]))
})

const decode = OptionSchema.decoder(OptionsSchema, "chunk")

/**
 * Checks the options and fills in the defaults; `Left` names the first bad one (`chunk.size`, ...).
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolve = (options: Options): Either.Either<Resolved, ConfigError.ConfigError> =>
  Either.flatMap(decode(options), (checked) => {
    const overlap = checked.overlap ?? 0
    if (overlap >= checked.size) {
      return Either.left(
        ConfigError.InvalidData(["chunk.overlap"], `must be less than the chunk size (${checked.size}), got ${overlap}`)
      )
    }
    return Either.right({
      size: checked.size,
      overlap,
      unit: checked.unit ?? "words",
      aggregate: checked.aggregate ?? "max"
    })
  })

/**
 * A request's own `chunk` checked: an `InvalidRequestError` on the field when it makes no sense.
 *
 * @since 0.2.0
 * @category constructors
 */
export const resolveRequest = (options: Options): Either.Either<Resolved, InvalidRequestError> =>
  Either.mapLeft(resolve(options), (error) =>
    error._op === "InvalidData"
      ? new InvalidRequestError({ field: error.path.join("."), reason: error.message })
      : new InvalidRequestError({ field: "chunk", reason: String(error) })
  )

const words = /\S+/g

/**
 * Splits a text into chunks of `size` units, each starting `size - overlap` units after the one before, the last one
 * ending with the text. A text no longer than one chunk is one chunk, the whole text.
 *
 * @since 0.2.0
 * @category splitting
 */
export const split = (text: string, options: Resolved): Array<Chunk> => {
  const step = options.size - options.overlap
  if (options.unit === "characters") {
    if (text.length <= options.size) return [{ text, start: 0, end: text.length }]
    const chunks: Array<Chunk> = []
    for (let start = 0; ; start += step) {
      let from = start
      let to = Math.min(start + options.size, text.length)
      // Never split a surrogate pair: a chunk starts and ends on whole characters.
      if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from--
      if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to++
      chunks.push({ text: text.slice(from, to), start: from, end: to })
      if (to >= text.length) return chunks
    }
  }
  const spans: Array<readonly [number, number]> = []
  for (const match of text.matchAll(words)) spans.push([match.index, match.index + match[0].length])
  if (spans.length <= options.size) return [{ text, start: 0, end: text.length }]
  const chunks: Array<Chunk> = []
  for (let first = 0; ; first += step) {
    const last = Math.min(first + options.size, spans.length) - 1
    const start = spans[first][0]
    const end = spans[last][1]
    chunks.push({ text: text.slice(start, end), start, end })
    if (last === spans.length - 1) return chunks
  }
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/**
 * A document's score from its chunks' scores (in chunk order), and the chunk that decided it: the best chunk for
 * `max` and `sumTop2`, the first for `first`.
 *
 * @since 0.2.0
 * @category aggregating
 */
export const aggregate = (
  scores: ReadonlyArray<number>,
  how: Aggregate
): { readonly score: number; readonly decided: number } => {
  if (how === "first" || scores.length === 1) return { score: scores[0], decided: 0 }
  let best = 0
  let second = -1
  for (let i = 1; i < scores.length; i++) {
    if (scores[i] > scores[best]) {
      second = best
      best = i
    } else if (second < 0 || scores[i] > scores[second]) {
      second = i
    }
  }
  return how === "max"
    ? { score: scores[best], decided: best }
    : { score: scores[best] + scores[second], decided: best }
}
