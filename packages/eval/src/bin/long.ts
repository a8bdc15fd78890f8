/**
 * `pnpm eval:long`: does chunking keep long documents findable? Vaswani's BM25 candidates made long (LongEval's seeded
 * rule) at several lengths; the local reranker truncated to the first N words against chunked (N words a chunk,
 * overlap N/2, max; N = 64, or CHUNK_WORDS / CHUNK_OVERLAP), both as a fraction of its nDCG@10 on the short documents.
 * Goal: chunking keeps at least 90% at every length, where truncation loses more than 30% at the longest. SEED
 * changes the seed of the rule (default 2026).
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Chunking } from "@effect-rerank/core"
import { Console, Effect, Either } from "effect"
import * as Conformance from "../Conformance.js"
import * as LocalEval from "../LocalEval.js"
import * as LongEval from "../LongEval.js"
import * as Vaswani from "../Vaswani.js"

const lengths = [200, 500, 1000, 2000]
const words = Number(process.env.CHUNK_WORDS ?? 64)
const overlap = Number(process.env.CHUNK_OVERLAP ?? words / 2)
const seed = Number(process.env.SEED ?? 2026)

const program = Effect.gen(function* () {
  const collection = yield* Vaswani.load(Conformance.dir)
  const corpus = LocalEval.corpusStats(collection.corpus.values())
  const short = yield* LocalEval.run(collection, { corpus })
  yield* Console.log(
    `Vaswani, ${collection.candidates.size} queries, BM25 top 100 made long (seed ${seed}); local reranker, nDCG@10`
  )
  yield* Console.log(`short documents: ${short.toFixed(4)}`)
  yield* Console.log(`truncated: the first ${words} words; chunked: ${words} words a chunk, overlap ${overlap}, max\n`)
  yield* Console.log("length (words)  truncated        chunked          chunks/s")
  let chunkingHolds = true
  let truncationLoses = false
  for (const length of lengths) {
    const long = yield* LongEval.lengthen(collection, length, seed)
    const truncated = yield* LongEval.run(collection, long, { corpus }, (text) => LongEval.truncate(text, words))
    const start = performance.now()
    const chunked = yield* LongEval.run(collection, long, {
      corpus,
      chunk: { size: words, overlap, aggregate: "max" }
    })
    const seconds = (performance.now() - start) / 1000
    const chunking = Either.getOrThrow(Chunking.resolve({ size: words, overlap }))
    let chunks = 0
    for (const candidates of long.values()) {
      for (const c of candidates) chunks += Chunking.split(c.text, chunking).length
    }
    const ratio = (x: number) => `${x.toFixed(4)} (${((100 * x) / short).toFixed(0)}%)`
    yield* Console.log(
      `${String(length).padEnd(16)}${ratio(truncated).padEnd(17)}${ratio(chunked).padEnd(17)}${(chunks / seconds).toFixed(0)}`
    )
    if (chunked < 0.9 * short) chunkingHolds = false
    if (length === lengths[lengths.length - 1] && truncated < 0.7 * short) truncationLoses = true
  }
  yield* Console.log(
    `\ngoal: chunking >= 90% of short at every length: ${chunkingHolds ? "met" : "NOT met"}; truncation loses > 30% at ${lengths[lengths.length - 1]} words: ${truncationLoses ? "yes" : "no"}`
  )
})

program.pipe(Conformance.requireData("eval:long"), Effect.provide(NodeContext.layer), NodeRuntime.runMain)
