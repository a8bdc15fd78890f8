/**
 * Long documents on Vaswani: each query's BM25 candidates made long by a documented, seeded rule, then reranked by the
 * local reranker two ways: truncated to the first N words (what a provider's context limit does), or chunked (N words
 * a chunk, aggregated by max). nDCG@10 of each against the same reranker on the short documents.
 *
 * The rule, per query and candidate (Effect's `Random` seeded with `seed`): filler passages are whole documents of the
 * collection, drawn at random among those neither judged for the query nor among its candidates, until the filler
 * holds `length` minus the candidate's words; the candidate's text is then inserted at a random position among the
 * passages (first, between two, or last). Passages are separated by a blank line.
 *
 * @since 0.2.0
 */
import type { RerankError } from "@effect-rerank/core"
import type { CorpusStats } from "@effect-rerank/local"
import { LocalReranker } from "@effect-rerank/local"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Ndcg from "./Ndcg.js"
import type * as Vaswani from "./Vaswani.js"

const wordCount = (text: string) => text.split(/\s+/).filter((w) => w !== "").length

/**
 * A candidate made long: its text among filler passages, and where it sits.
 *
 * @since 0.2.0
 * @category models
 */
export interface LongCandidate {
  readonly id: string
  readonly text: string
  /** The candidate's own text starts at this character. */
  readonly at: number
}

/**
 * The collection's candidates made about `length` words long, by the rule above.
 *
 * @since 0.2.0
 * @category building
 */
export const lengthen = (
  collection: Vaswani.Collection,
  length: number,
  seed: number
): Effect.Effect<ReadonlyMap<string, ReadonlyArray<LongCandidate>>> =>
  Effect.gen(function* () {
    const random = Random.make(seed)
    const ids = Array.from(collection.corpus.keys())
    const long = new Map<string, Array<LongCandidate>>()
    for (const [queryId, candidates] of collection.candidates) {
      const judged = collection.qrels.get(queryId) ?? new Map<string, number>()
      // The query's own candidates are never filler: a candidate would otherwise carry a competitor's text.
      const own = new Set(candidates.map((c) => c.id))
      const list: Array<LongCandidate> = []
      for (const candidate of candidates) {
        const passages: Array<string> = []
        let words = wordCount(candidate.text)
        while (words < length) {
          const id = ids[yield* random.nextIntBetween(0, ids.length)]
          if (own.has(id) || judged.has(id)) continue
          const passage = collection.corpus.get(id)!
          passages.push(passage)
          words += wordCount(passage)
        }
        const position = yield* random.nextIntBetween(0, passages.length + 1)
        const before = passages.slice(0, position).join("\n\n")
        const at = before === "" ? 0 : before.length + 2
        const text = [...passages.slice(0, position), candidate.text, ...passages.slice(position)].join("\n\n")
        list.push({ id: candidate.id, text, at })
      }
      long.set(queryId, list)
    }
    return long
  })

/** The first `n` words of a text, as a provider that truncates at its context keeps them. */
export const truncate = (text: string, n: number): string => {
  const words = /\S+/g
  let end = text.length
  let count = 0
  for (const match of text.matchAll(words)) {
    if (++count === n) {
      end = match.index + match[0].length
      break
    }
  }
  return text.slice(0, end)
}

/**
 * Mean nDCG@10 of the local reranker over long candidates, each scored from `toText` (the whole text, or its first
 * words) with the reranker's options (chunking or none).
 *
 * @since 0.2.0
 * @category evaluation
 */
export const run = (
  collection: Vaswani.Collection,
  long: ReadonlyMap<string, ReadonlyArray<{ readonly id: string; readonly text: string }>>,
  options: LocalReranker.Options & { readonly corpus: CorpusStats.CorpusStats },
  toText: (text: string) => string = (text) => text
): Effect.Effect<number, RerankError.RerankError | ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const reranker = yield* LocalReranker.make(options)
    const rankings = new Map<string, Array<string>>()
    for (const [queryId, candidates] of long) {
      const result = yield* reranker.rerank({
        query: collection.queries.get(queryId)!,
        documents: candidates,
        toText: (candidate) => toText(candidate.text)
      })
      rankings.set(
        queryId,
        result.results.map((r) => r.document.id)
      )
    }
    return Ndcg.meanNdcgAt(10, rankings, collection.qrels)
  })
