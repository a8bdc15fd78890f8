/**
 * `pnpm bench:local`: one call reranking 10,000 documents of 200 words each with the local reranker (default
 * batching: 10 windows of 1,000). Prints the median of 5 runs after a warm-up.
 */
import { LocalReranker } from "@effect-rerank/local"
import { Effect } from "effect"

// A vocabulary of 5,000 made-up words, drawn with a Zipf-like skew so that some words are common.
let seed = 7
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}ing`)
const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 3)]
const documents = Array.from({ length: 10_000 }, () => Array.from({ length: 200 }, word).join(" "))
const query = `${vocabulary[3]} ${vocabulary[40]} ${vocabulary[900]} of the ${vocabulary[2500]}`

const reranker = await Effect.runPromise(LocalReranker.make())
const run = () => Effect.runPromise(reranker.rerank({ query, documents, topN: 10 }))
await run()
const times: Array<number> = []
for (let i = 0; i < 5; i++) {
  const start = performance.now()
  await run()
  times.push(performance.now() - start)
}
const median = times.sort((a, b) => a - b)[2]
console.log(
  `local reranker: 10,000 documents x 200 words in one call: median ${median.toFixed(0)} ms (${Math.round(10_000 / (median / 1000)).toLocaleString("en-US")} documents/s)`
)
