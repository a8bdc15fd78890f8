/**
 * An offline `Reranker`: lexical relevance scored in-process, no network, no key. The embedded default of the CLI
 * and the server, and a fair baseline.
 *
 * The score blends two signals over stemmed, stopword-free terms, both in [0, 1]:
 * - BM25 (Robertson and Zaragoza 2009), normalized by the best a document could score for the query:
 *   Σ idf(t) * sat(tf) / Σ idf(t) * (k1 + 1), with sat(tf) = tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avgdl));
 * - proximity: the share of the query's adjacent term pairs that also stand side by side in the document, so
 *   "capital of the United States" beats a text that mentions "capital" and "United States" apart.
 * score = (1 - proximityWeight) * bm25 + proximityWeight * proximity (BM25 alone for one-term queries).
 *
 * Term weights and the average length come from fixed corpus statistics (or are uniform without them), never from
 * the request, so scores are pointwise and merging windows by score is exact.
 *
 * @since 0.2.0
 */
import { Fields, OptionSchema, Provider, Reranker } from "@effect-rerank/core"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Analyzer from "./Analyzer.js"
import * as CorpusStats from "./CorpusStats.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends Reranker.Options {
  /** Term weights and the average length. Without them every query term weighs the same. */
  readonly corpus?: CorpusStats.CorpusStats | undefined
  /** Term frequency saturation. Default 1.2. */
  readonly k1?: number | undefined
  /** Length normalization, 0 to 1. Default 0.75. */
  readonly b?: number | undefined
  /** Average document length in terms when no corpus is given. Default 100. */
  readonly averageLength?: number | undefined
  /** Share of the score given to query term pairs found side by side, 0 to 1. Default 0.2. */
  readonly proximityWeight?: number | undefined
  /** Reported as the result's model. Default `"local-bm25"`. */
  readonly model?: string | undefined
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = { k1: 1.2, b: 0.75, averageLength: 100, proximityWeight: 0.2, model: "local-bm25" } as const

/**
 * A scorer for one query, reusable across documents: `score(text)` is in [0, 1].
 *
 * @since 0.2.0
 * @category scoring
 */
export const scorer = (query: string, options: Options = {}, analyzer: Analyzer.Analyzer = Analyzer.make()) => {
  const k1 = options.k1 ?? defaults.k1
  const b = options.b ?? defaults.b
  const averageLength = options.corpus?.averageLength || options.averageLength || defaults.averageLength
  const proximityWeight = options.proximityWeight ?? defaults.proximityWeight
  const weights = new Map<string, number>()
  const queryTerms = analyzer.terms(query)
  const pairs = new Set<string>()
  for (let i = 1; i < queryTerms.length; i++) pairs.add(`${queryTerms[i - 1]} ${queryTerms[i]}`)
  for (const term of queryTerms) {
    // A term repeated in the query counts as often as it is repeated.
    const weight = options.corpus === undefined ? 1 : CorpusStats.idf(options.corpus, term)
    weights.set(term, (weights.get(term) ?? 0) + weight)
  }
  let best = 0
  for (const weight of weights.values()) best += weight * (k1 + 1)
  return (text: string): number => {
    if (best === 0) return 0
    const terms = analyzer.terms(text)
    const tf = new Map<string, number>()
    const adjacent = new Set<string>()
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]
      if (!weights.has(term)) continue
      tf.set(term, (tf.get(term) ?? 0) + 1)
      if (i > 0 && pairs.size > 0) {
        const pair = `${terms[i - 1]} ${term}`
        if (pairs.has(pair)) adjacent.add(pair)
      }
    }
    const norm = k1 * (1 - b + (b * terms.length) / averageLength)
    let bm25 = 0
    for (const [term, count] of tf) bm25 += (weights.get(term)! * count * (k1 + 1)) / (count + norm)
    bm25 /= best
    return pairs.size === 0 ? bm25 : (1 - proximityWeight) * bm25 + (proximityWeight * adjacent.size) / pairs.size
  }
}

/**
 * The local reranker's own options: a `ConfigError` naming the option when one makes no sense.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  k1: Schema.optional(OptionSchema.NonNegativeNumber),
  b: Schema.optional(OptionSchema.UnitInterval),
  averageLength: Schema.optional(OptionSchema.PositiveNumber),
  proximityWeight: Schema.optional(OptionSchema.UnitInterval),
  model: Schema.optional(OptionSchema.NonEmptyString)
})

const checkOptions = OptionSchema.decoder(OptionsSchema)

/** What besides the texts decides a score: the weights' parameters and the corpus statistics (fingerprinted). */
const scoringOf = (options: Options): unknown => {
  const { averageLength, b, corpus, k1, proximityWeight } = options
  const parameters = [k1 ?? null, b ?? null, proximityWeight ?? null, averageLength ?? null]
  if (corpus === undefined) return parameters
  const statistics = [JSON.stringify([corpus.documents, corpus.averageLength])]
  for (const [term, count] of corpus.documentFrequency) statistics.push(`${term}\u0000${count}`)
  return [...parameters, Provider.fingerprint(statistics.join("\u0000"))]
}

/**
 * The local reranker as a provider, for `Reranker.make`: one window scored in-process, no billed units. Options
 * that make no sense fail with a `ConfigError` naming the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const provider = (options: Options = {}): Either.Either<Reranker.Provider, ConfigError.ConfigError> =>
  Either.map(checkOptions(options), () => ({
    specificationVersion: Provider.specificationVersion,
    system: "local",
    model: options.model ?? defaults.model,
    // Scores depend on the query, the document and the fixed corpus statistics only: cacheable per document.
    pointwise: true,
    identity: { scoring: scoringOf(options) },
    fields: { encode: weightedText },
    rerankWindow: (request) =>
      Effect.suspend(() => {
        const score = scorer(request.query, options)
        const results = new Array<{ index: number; score: number }>(request.documents.length)
        // Scored in slices with a turn of the event loop between them: a server scoring a big request keeps
        // answering small ones, and a call can be interrupted between slices.
        const slice = (from: number): Effect.Effect<{ results: typeof results }> => {
          const to = Math.min(from + sliceSize, results.length)
          for (let i = from; i < to; i++) results[i] = { index: i, score: score(request.documents[i]) }
          return to === results.length
            ? Effect.succeed({ results })
            : Effect.zipRight(
                nextTurn,
                Effect.suspend(() => slice(to))
              )
        }
        return slice(0)
      })
  }))

/**
 * A document's fields for BM25: each field's text repeated as often as its weight says (rounded, at least once), so
 * a weight of 2 on a title counts its words twice. A weight below 1 counts once: BM25 has no fractional occurrence.
 *
 * @since 0.2.0
 * @category fields
 */
export const weightedText = (picked: ReadonlyArray<Fields.Picked>): string =>
  picked
    .flatMap(({ value, weight }) =>
      Array.from({ length: Math.max(1, Math.round(weight)) }, () => Fields.valueText(value))
    )
    .join("\n")

/** Documents scored between two turns of the event loop: about a millisecond of work. */
const sliceSize = 64

// setImmediate where the runtime has it (Node, Bun: I/O runs in between), else a zero timeout (Deno, browsers, Workers).
const schedule: (run: () => void) => () => void =
  typeof globalThis.setImmediate === "function"
    ? (run) => {
        const handle = globalThis.setImmediate(run)
        return () => globalThis.clearImmediate(handle)
      }
    : (run) => {
        const handle = globalThis.setTimeout(run, 0)
        return () => globalThis.clearTimeout(handle)
      }

const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const cancel = schedule(() => resume(Effect.void))
  return Effect.sync(cancel)
})

/**
 * The local reranker as a `Reranker` service.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Reranker.Service, ConfigError.ConfigError> =>
  Effect.flatMap(provider(options), (local) => Reranker.make(local, options))

/**
 * @example
 * ```ts
 * import { LocalReranker } from "@effect-rerank/local"
 *
 * const RerankerLive = LocalReranker.layer()
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Reranker.Reranker, ConfigError.ConfigError> =>
  Layer.effect(Reranker.Reranker, make(options))
