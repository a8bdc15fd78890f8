/**
 * The measurement behind the default merge (DESIGN section 9): rerank each Vaswani query's BM25 top 100 with a
 * Reranker that scores by the run's own BM25 scores, in windows of 25 documents assigned at random (fixed seed),
 * and compare nDCG@10 of score merging, RRF merging and one unbatched call.
 *
 * @since 0.2.0
 */
import { type Batching, Reranker, type RerankError } from "@effect-rerank/core"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Ndcg from "./Ndcg.js"
import type * as Vaswani from "./Vaswani.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Scores {
  readonly unbatched: number
  readonly score: number
  readonly rrf: number
}

/**
 * nDCG@10 of the three ways, for one seed of the window assignment.
 *
 * @since 0.2.0
 * @category evaluation
 */
export const run = (
  collection: Vaswani.Collection,
  seed: number,
  windowSize = 25
): Effect.Effect<Scores, RerankError.RerankError | ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const random = Random.make(seed)
    const variants: ReadonlyArray<readonly [keyof Scores, Batching.Options]> = [
      ["unbatched", { maxDocumentsPerRequest: 1000 }],
      ["score", { maxDocumentsPerRequest: windowSize, merge: "score" }],
      ["rrf", { maxDocumentsPerRequest: windowSize, merge: "rrf" }]
    ]
    const rankings = new Map(variants.map(([name]) => [name, new Map<string, Array<string>>()]))
    for (const [queryId, candidates] of collection.candidates) {
      // Windows are contiguous slices, so shuffling first assigns documents to windows at random.
      const shuffled = Array.from(yield* random.shuffle(candidates))
      const bm25 = new Map(candidates.map((c) => [c.id, c.bm25]))
      for (const [name, options] of variants) {
        const reranker = yield* Reranker.makeTest((_, id) => bm25.get(id)!, options)
        const result = yield* reranker.rerank({
          query: collection.queries.get(queryId) ?? queryId,
          documents: shuffled,
          toText: (candidate) => candidate.id
        })
        rankings.get(name)!.set(
          queryId,
          result.results.map((r) => r.document.id)
        )
      }
    }
    const score = (name: keyof Scores) => Ndcg.meanNdcgAt(10, rankings.get(name)!, collection.qrels)
    return { unbatched: score("unbatched"), score: score("score"), rrf: score("rrf") } satisfies Scores
  })
