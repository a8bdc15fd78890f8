/**
 * `pnpm eval:local`: nDCG@10 of the local reranker on Vaswani's BM25 top 100, against the first stage itself.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import * as Conformance from "../Conformance.js"
import * as LocalEval from "../LocalEval.js"
import * as Vaswani from "../Vaswani.js"

const program = Effect.gen(function* () {
  const collection = yield* Vaswani.load(Conformance.dir)
  const published = 0.3563
  const start = performance.now()
  const corpus = LocalEval.corpusStats(collection.corpus.values())
  const statsMs = performance.now() - start
  const withStats = yield* LocalEval.run(collection, { corpus })
  const without = yield* LocalEval.run(collection, {})
  yield* Console.log(`Vaswani: ${collection.candidates.size} queries, reranking the BM25 top 100, nDCG@10`)
  yield* Console.log(`BM25 first stage (no stemming)             ${published.toFixed(4)}`)
  yield* Console.log(
    `local reranker, corpus statistics          ${withStats.toFixed(4)}  (stats built in ${statsMs.toFixed(0)} ms)`
  )
  yield* Console.log(`local reranker, no corpus statistics       ${without.toFixed(4)}`)
})

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
