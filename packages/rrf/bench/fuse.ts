/**
 * `pnpm bench:rrf`: RRF over 100 rankings whose keys are half shared (every ranking holds the shared half, in its own
 * order) and half its own, at 10k, 100k and 1M entries in all. Prints the median time of 5 runs, entries per second
 * and the heap the result holds. Run with --expose-gc so heap numbers are after a collection.
 */
import { Fusion } from "@effect-rerank/rrf"
import { Either } from "effect"

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

const makeRankings = (rankings: number, perRanking: number): Array<Array<string>> => {
  const shared = perRanking / 2
  let seed = 12345
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  return Array.from({ length: rankings }, (_, r) => {
    const keys = Array.from({ length: perRanking }, (_, i) => (i < shared ? `s${i}` : `r${r}-${i}`))
    for (let i = keys.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[keys[i], keys[j]] = [keys[j], keys[i]]
    }
    return keys
  })
}

const measure = (rankings: Array<Array<string>>) => {
  const entries = rankings.reduce((n, r) => n + r.length, 0)
  Either.getOrThrow(Fusion.rrf(rankings, { key: (k) => k })) // warm up
  const times: Array<number> = []
  let heap = 0
  let fused: Array<Fusion.Fused<string>> = []
  for (let run = 0; run < 5; run++) {
    fused = []
    gc()
    const before = process.memoryUsage().heapUsed
    const start = performance.now()
    fused = Either.getOrThrow(Fusion.rrf(rankings, { key: (k) => k }))
    times.push(performance.now() - start)
    gc()
    heap = process.memoryUsage().heapUsed - before
  }
  const items = fused.length
  const median = times.sort((a, b) => a - b)[2]
  return { entries, items, median, heap }
}

console.log("entries    rankings x items  fused items  median ms  entries/s     result heap MB")
for (const perRanking of [100, 1000, 10000]) {
  const rankings = makeRankings(100, perRanking)
  const { entries, items, median, heap } = measure(rankings)
  console.log(
    `${String(entries).padEnd(10)} ${`100 x ${perRanking}`.padEnd(17)} ${String(items).padEnd(12)} ${median
      .toFixed(1)
      .padStart(9)}  ${Math.round(entries / (median / 1000))
      .toLocaleString("en-US")
      .padEnd(13)} ${(heap / 1024 / 1024).toFixed(1)}`
  )
}
