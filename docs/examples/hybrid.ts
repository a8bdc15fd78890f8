import { Reranker } from "@effect-rerank/core"
import { Fusion } from "@effect-rerank/rrf"
import { Effect } from "effect"

interface Hit {
  readonly id: string
  readonly text: string
  readonly score: number
}

// Two first stages over the same corpus, best first: keyword (BM25) and vector search.
declare const bm25Hits: ReadonlyArray<Hit>
declare const vectorHits: ReadonlyArray<Hit>

export const hybridSearch = (query: string) =>
  Effect.gen(function* () {
    // RRF needs no score calibration between BM25 and cosine similarity; k = 60 by default.
    const fused = yield* Fusion.fuse([bm25Hits, vectorHits], { key: (hit) => hit.id, topN: 100 })
    // Rerank the fused top 100 and hand the best 5 to the LLM.
    const { results } = yield* Reranker.rerank({
      query,
      documents: fused.map((f) => f.item),
      toText: (hit) => hit.text,
      topN: 5
    })
    return results.map((r) => r.document)
  })
