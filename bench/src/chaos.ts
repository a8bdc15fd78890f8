/**
 * `pnpm bench:chaos`: our `Cohere` client through our own server with seeded faults, then the server under load.
 *
 * Chaos: 10,000 calls at concurrency 16 (20 documents each) against a server in its own process whose rules fault
 * 20% of requests: 429 with and without `Retry-After`, 500, 502, 503, 504, a reset connection, a well-framed 200
 * whose JSON is cut, a connection cut mid-body, and an answer slower than the 300 ms attempt timeout. Each answer
 * is checked against the local reranker called directly. Prints calls correct, wrong, failures by tag, untyped
 * failures, attempts per call, wall time, and the client's TCP sockets still open once the server's keep-alive has
 * lapsed (leaked sockets).
 *
 * Load: the same server without faults at 50 connections: requests/s and p99 for 100- and 1,000-document requests,
 * and the p99 of a 5-document request sent every 20 ms while 1,000-document requests run.
 *
 * Environment: CALLS (default 10000), LOAD_REQUESTS (default 1000 per load phase).
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { fork } from "node:child_process"
import { fileURLToPath } from "node:url"

const calls = Number(process.env.CALLS ?? 10_000)
const loadRequests = Number(process.env.LOAD_REQUESTS ?? 1000)

const words = "capital state river city nation law court energy model passage query united states history".split(" ")
const textOf = (i: number) =>
  Array.from({ length: 12 }, (_, j) => words[(i * 7 + j * 13 + ((i * j) % 5)) % words.length]).join(" ")
const documentsFor = (call: number, n: number) => Array.from({ length: n }, (_, i) => textOf(call * 31 + i))
const queryFor = (call: number) => `${words[call % words.length]} ${words[(call * 3 + 1) % words.length]}`

const startServer = (faults: ReadonlyArray<string>) =>
  new Promise<{ url: string; stop: () => void }>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./chaos-server.ts", import.meta.url)), [...faults], {
      execArgv: ["--conditions=source", "--import", "tsx"]
    })
    child.once("message", (message: any) =>
      resolve({ url: `http://127.0.0.1:${message.port}`, stop: () => child.kill() })
    )
    child.once("error", reject)
  })

const percentile = (values: Array<number>, p: number) => {
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const openSockets = () => process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap").length

// ---- chaos
// Ten rules drawing independently, each with p = 1 - 0.8^(1/10): 20% of requests meet at least one fault.
const p = (1 - Math.pow(0.8, 1 / 10)).toFixed(5)
const faults = [
  `429:p=${p}:retry-after=1`,
  `429:p=${p}`,
  `500:p=${p}`,
  `502:p=${p}`,
  `503:p=${p}`,
  `504:p=${p}`,
  `reset:p=${p}`,
  `cut:p=${p}`,
  `truncate:p=${p}`,
  `delay:ms=600:p=${p}`
]
const chaos = await startServer(faults)
const runtime = ManagedRuntime.make(
  Cohere.layer({
    apiKey: Redacted.make("chaos-key"),
    baseUrl: chaos.url,
    timeout: "300 millis",
    retry: { base: "20 millis", cap: "2 seconds" }
  }).pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)
)
const local = await Effect.runPromise(LocalReranker.make())

let correct = 0
let wrong = 0
let untyped = 0
const failures = new Map<string, number>()
const attempts: Array<number> = []
const started = performance.now()
let next = 0
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (next < calls) {
      const call = next++
      const request = { query: queryFor(call), documents: documentsFor(call, 20) }
      let retries = 0
      const progress = { onWindow: () => Effect.void, onRetry: () => Effect.sync(() => void retries++) }
      const outcome = await runtime
        .runPromise(Reranker.rerank(request).pipe(Effect.provideService(Reranker.Progress, progress), Effect.either))
        .catch((defect: unknown) => ({ _tag: "Defect" as const, defect }))
      if (outcome._tag === "Defect") {
        untyped++
        continue
      }
      if (outcome._tag === "Left") {
        const error = outcome.left
        if (!RerankError.isRerankError(error)) untyped++
        else failures.set(error._tag, (failures.get(error._tag) ?? 0) + 1)
        attempts.push(error.attempts)
        continue
      }
      attempts.push(1 + retries)
      const expected = await Effect.runPromise(local.rerank(request))
      const same =
        outcome.right.results.length === expected.results.length &&
        outcome.right.results.every(
          (r, i) => r.index === expected.results[i].index && r.score === expected.results[i].score
        )
      if (same) correct++
      else wrong++
    }
  })
)
const wall = performance.now() - started
await runtime.dispose()
const rightAfter = openSockets()
// The server closes idle keep-alive connections after 5 s; anything the client still holds then has leaked.
await new Promise((resolve) => setTimeout(resolve, 6000))
const leaked = openSockets()
chaos.stop()

const mean = attempts.reduce((a, b) => a + b, 0) / attempts.length
console.log(`bench:chaos  ${calls} calls at concurrency 16, 20 documents each, 20% of requests faulted (seed 42)`)
console.log(`faults: ${faults.join("  ")}`)
console.log(`correct   ${correct} (${((100 * correct) / calls).toFixed(2)}%)`)
console.log(`wrong     ${wrong}`)
console.log(
  `failed    ${calls - correct - wrong - untyped}${failures.size > 0 ? "  " + [...failures].map(([tag, n]) => `${tag} ${n}`).join(", ") : ""}`
)
console.log(`untyped   ${untyped}`)
console.log(
  `attempts  mean ${mean.toFixed(3)}, max ${Math.max(...attempts)}, calls needing a retry ${attempts.filter((a) => a > 1).length}`
)
console.log(`wall      ${(wall / 1000).toFixed(1)} s`)
console.log(`sockets   ${rightAfter} open right after, ${leaked} still open 6 s later (leaked)`)

// ---- load
const server = await startServer([])
const post = async (documents: ReadonlyArray<string>) => {
  const start = performance.now()
  const response = await fetch(`${server.url}/v2/rerank`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "local-bm25", query: "capital of the united states", documents })
  })
  await response.arrayBuffer()
  if (response.status !== 200) throw new Error(`status ${response.status}`)
  return performance.now() - start
}
const load = async (size: number, count: number, connections: number) => {
  const documents = documentsFor(size, size)
  const latencies: Array<number> = []
  let sent = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (sent++ < count) latencies.push(await post(documents))
    })
  )
  return { perSecond: (count / (performance.now() - start)) * 1000, p99: percentile(latencies, 99) }
}
await load(100, 200, 50)
const small = await load(100, loadRequests, 50)
const big = await load(1000, Math.max(50, loadRequests / 5), 50)
// A small request every 20 ms while 1,000-document requests keep 50 connections busy.
let busy = true
const smallLatencies: Array<number> = []
const prober = (async () => {
  const documents = documentsFor(5, 5)
  while (busy) {
    smallLatencies.push(await post(documents))
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
})()
const during = await load(1000, loadRequests, 50)
busy = false
await prober
server.stop()
console.log(`\nserver load at 50 connections (local reranker)`)
console.log(`100 documents     ${small.perSecond.toFixed(0)} requests/s, p99 ${small.p99.toFixed(0)} ms`)
console.log(`1,000 documents   ${big.perSecond.toFixed(0)} requests/s, p99 ${big.p99.toFixed(0)} ms`)
console.log(
  `5 documents while 1,000-document requests run: p99 ${percentile(smallLatencies, 99).toFixed(0)} ms over ${smallLatencies.length} requests (the big ones: p99 ${during.p99.toFixed(0)} ms)`
)
