/**
 * `pnpm eval:merge`: prints nDCG@10 on Vaswani for one unbatched call, score merge and RRF merge of random windows.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as Conformance from "../Conformance.js"
import * as MergeEval from "../MergeEval.js"
import * as Vaswani from "../Vaswani.js"

const seeds = [42, 1, 2, 3, 4, 5, 6, 7, 8, 9]

const program = Effect.gen(function* () {
  const collection = yield* Vaswani.load(Conformance.dir)
  yield* Console.log(
    `Vaswani: ${collection.candidates.size} queries x BM25 top 100, windows of 25 assigned at random, nDCG@10`
  )
  yield* Console.log("seed  unbatched  score-merge  rrf-merge")
  const all: Array<MergeEval.Scores> = []
  for (const seed of seeds) {
    const scores = yield* MergeEval.run(collection, seed)
    all.push(scores)
    yield* Console.log(
      `${String(seed).padStart(4)}  ${scores.unbatched.toFixed(4).padStart(9)}  ${scores.score.toFixed(4).padStart(11)}  ${scores.rrf.toFixed(4).padStart(9)}`
    )
  }
  if (process.env.BENCH_RESULTS !== undefined) {
    const fs = yield* Effect.promise(() => import("node:fs"))
    fs.mkdirSync(process.env.BENCH_RESULTS, { recursive: true })
    fs.writeFileSync(
      `${process.env.BENCH_RESULTS}/merge.json`,
      JSON.stringify(
        { measured: new Date().toISOString(), seeds: seeds.map((seed, i) => ({ seed, ...all[i] })) },
        null,
        2
      ) + "\n"
    )
  }
  const mean = (pick: (s: MergeEval.Scores) => number) => all.reduce((sum, s) => sum + pick(s), 0) / all.length
  yield* Console.log(
    `mean  ${mean((s) => s.unbatched)
      .toFixed(4)
      .padStart(9)}  ${mean((s) => s.score)
      .toFixed(4)
      .padStart(11)}  ${mean((s) => s.rrf)
      .toFixed(4)
      .padStart(9)}`
  )
})

program.pipe(Conformance.requireData("eval:merge"), Effect.provide(NodeContext.layer), NodeRuntime.runMain)
