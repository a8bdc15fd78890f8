import { Conformance, MergeEval, Vaswani } from "@effect-rerank/eval"
import { NodeContext } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { describeConformance, readConformanceJson } from "../../../test-utils/Conformance.js"

describeConformance("the merge measurement on Vaswani", () => {
  it.effect(
    "one unbatched call reproduces the BM25 run's published nDCG@10; score merge equals it; RRF is lower",
    () =>
      Effect.gen(function* () {
        const published = readConformanceJson<any>("datasets/vaswani/runs/bm25_metrics.json")
        const collection = yield* Vaswani.load(Conformance.dir)
        expect(collection.candidates.size).toBe(published.num_q)
        const scores = yield* MergeEval.run(collection, 42)
        expect(scores.unbatched).toBeCloseTo(published.top100_file.bm25_ndcg_cut_10, 4)
        expect(scores.score).toBe(scores.unbatched)
        expect(scores.rrf).toBeLessThan(scores.score)
      }).pipe(Effect.provide(NodeContext.layer)),
    30_000
  )
})
