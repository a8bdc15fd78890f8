/**
 * `pnpm eval:local`: nDCG@10 of the local reranker on Vaswani's BM25 top 100, against the first stage itself
 * (computed from the run, not quoted). The proximity weight is chosen on one half of the queries and reported on the
 * other half, so the figure is not fit to its own test; the whole collection is reported too.
 */
import { LocalReranker } from "@effect-rerank/local"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as Conformance from "../Conformance.js"
import * as LocalEval from "../LocalEval.js"
import * as Vaswani from "../Vaswani.js"

const weights = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]

const program = Effect.gen(function* () {
  const collection = yield* Vaswani.load(Conformance.dir)
  const { heldOut, tune } = LocalEval.split(collection)
  const start = performance.now()
  const corpus = LocalEval.corpusStats(collection.corpus.values())
  const statsMs = performance.now() - start
  yield* Console.log(
    `Vaswani: ${collection.candidates.size} queries (${tune.length} to tune on, ${heldOut.length} held out), reranking the BM25 top 100, nDCG@10`
  )
  yield* Console.log(`corpus statistics built in ${statsMs.toFixed(0)} ms`)
  yield* Console.log("\nproximity weight on the tuning half (corpus statistics):")
  let best = { weight: 0, score: -1 }
  for (const proximityWeight of weights) {
    const score = yield* LocalEval.run(collection, { corpus, proximityWeight }, tune)
    if (score > best.score) best = { weight: proximityWeight, score }
    yield* Console.log(`  ${proximityWeight.toFixed(2)}  ${score.toFixed(4)}`)
  }
  const row = (name: string, ids: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const chosen = yield* LocalEval.run(collection, { corpus, proximityWeight: best.weight }, ids)
      const shipped = yield* LocalEval.run(collection, { corpus }, ids)
      const bare = yield* LocalEval.run(collection, {}, ids)
      yield* Console.log(
        `${name.padEnd(10)} ${LocalEval.firstStage(collection, ids).toFixed(4)}       ${chosen.toFixed(4)}          ${shipped.toFixed(4)}           ${bare.toFixed(4)}`
      )
    })
  yield* Console.log(
    `\nchosen on the tuning half: ${best.weight}; shipped default: ${LocalReranker.defaults.proximityWeight}`
  )
  yield* Console.log("queries    first stage  chosen weight   default weight   default, no corpus statistics")
  yield* row("held out", heldOut)
  yield* row("tuning", tune)
  yield* row("all", [...tune, ...heldOut])
})

program.pipe(Conformance.requireData("eval:local"), Effect.provide(NodeContext.layer), NodeRuntime.runMain)
