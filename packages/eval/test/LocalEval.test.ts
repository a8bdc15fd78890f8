import { Conformance, LocalEval, Vaswani } from "@effect-rerank/eval"
import { NodeContext } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { describeConformance, readConformanceJson } from "../../../test-utils/Conformance.js"

describeConformance("the local reranker on Vaswani", () => {
  it.effect(
    "beats the BM25 first stage's nDCG@10, with and without corpus statistics",
    () =>
      Effect.gen(function* () {
        const firstStage = readConformanceJson<any>("datasets/vaswani/runs/bm25_metrics.json").top100_file
          .bm25_ndcg_cut_10
        const collection = yield* Vaswani.load(Conformance.dir)
        const corpus = LocalEval.corpusStats(collection.corpus.values())
        expect(yield* LocalEval.run(collection, { corpus })).toBeGreaterThan(firstStage + 0.05)
        expect(yield* LocalEval.run(collection, {})).toBeGreaterThan(firstStage)
        // The first stage is computed from the run, and agrees with the published figure.
        expect(LocalEval.firstStage(collection)).toBeCloseTo(firstStage, 4)
        // On the held-out half, too, the shipped defaults beat the first stage.
        const { heldOut, tune } = LocalEval.split(collection)
        expect(heldOut.length + tune.length).toBe(collection.candidates.size)
        expect(yield* LocalEval.run(collection, { corpus }, heldOut)).toBeGreaterThan(
          LocalEval.firstStage(collection, heldOut)
        )
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
