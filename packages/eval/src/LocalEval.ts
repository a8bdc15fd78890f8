/**
 * The local reranker's quality on Vaswani: rerank each query's BM25 top 100 and score nDCG@10 against the qrels,
 * with corpus statistics from the collection and without any.
 *
 * @since 0.2.0
 */
import type { RerankError } from "@effect-rerank/core"
import { CorpusStats, LocalReranker } from "@effect-rerank/local"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Ndcg from "./Ndcg.js"
import type * as Vaswani from "./Vaswani.js"

/**
 * Mean nDCG@10 of the local reranker over the collection's queries.
 *
 * @since 0.2.0
 * @category evaluation
 */
export const run = (
  collection: Vaswani.Collection,
  options: LocalReranker.Options,
  queryIds: ReadonlyArray<string> = Array.from(collection.candidates.keys())
): Effect.Effect<number, RerankError.RerankError | ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const reranker = yield* LocalReranker.make(options)
    const rankings = new Map<string, Array<string>>()
    for (const queryId of queryIds) {
      const candidates = collection.candidates.get(queryId)!
      const result = yield* reranker.rerank({
        query: collection.queries.get(queryId)!,
        documents: candidates,
        toText: (candidate) => candidate.text
      })
      rankings.set(
        queryId,
        result.results.map((r) => r.document.id)
      )
    }
    return Ndcg.meanNdcgAt(10, rankings, judgedFor(collection, queryIds))
  })

/** The judgments of these queries only: a mean over a subset must not count the others as misses. */
const judgedFor = (collection: Vaswani.Collection, queryIds: ReadonlyArray<string>) =>
  new Map(queryIds.flatMap((id) => (collection.qrels.has(id) ? [[id, collection.qrels.get(id)!] as const] : [])))

/**
 * Mean nDCG@10 of the first stage itself (the BM25 order of the candidates), computed from the run, over the queries.
 *
 * @since 0.2.0
 * @category evaluation
 */
export const firstStage = (
  collection: Vaswani.Collection,
  queryIds: ReadonlyArray<string> = Array.from(collection.candidates.keys())
): number =>
  Ndcg.meanNdcgAt(
    10,
    new Map(queryIds.map((id) => [id, collection.candidates.get(id)!.map((c) => c.id)])),
    judgedFor(collection, queryIds)
  )

/**
 * The queries split in two halves by id order (even positions to tune on, odd ones held out), so a parameter chosen
 * on one half is judged on queries it never saw.
 *
 * @since 0.2.0
 * @category evaluation
 */
export const split = (
  collection: Vaswani.Collection
): { readonly tune: Array<string>; readonly heldOut: Array<string> } => {
  const ids = Array.from(collection.candidates.keys()).sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
  return { tune: ids.filter((_, i) => i % 2 === 0), heldOut: ids.filter((_, i) => i % 2 === 1) }
}

/**
 * Corpus statistics of the whole collection.
 *
 * @since 0.2.0
 * @category evaluation
 */
export const corpusStats = (corpus: Iterable<string>): CorpusStats.CorpusStats => CorpusStats.fromTexts(corpus)
