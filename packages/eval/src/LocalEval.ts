/**
 * The local reranker's quality on Vaswani: rerank each query's BM25 top 100 and score nDCG@10 against the qrels,
 * with corpus statistics from the collection and without any.
 *
 * @since 0.1.0
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
 * @since 0.1.0
 * @category evaluation
 */
export const run = (
  collection: Vaswani.Collection,
  options: LocalReranker.Options
): Effect.Effect<number, RerankError.RerankError | ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const reranker = yield* LocalReranker.make(options)
    const rankings = new Map<string, Array<string>>()
    for (const [queryId, candidates] of collection.candidates) {
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
    return Ndcg.meanNdcgAt(10, rankings, collection.qrels)
  })

/**
 * Corpus statistics of the whole collection.
 *
 * @since 0.1.0
 * @category evaluation
 */
export const corpusStats = (corpus: Iterable<string>): CorpusStats.CorpusStats => CorpusStats.fromTexts(corpus)
