/**
 * `pnpm bench:client`: one 1,000-document v2 rerank call against a loopback server answering a canned 1,000-result
 * body, for each client in its own process, rounds interleaved, every figure printed with its ratio to the floor
 * (`fetch` + `JSON.parse` + mapping indices) of the same round.
 *
 * Per client and round: 30 warm-up calls, 300 sequential calls (p50, p99), 900 calls at concurrency 16 (calls/s),
 * and 5 calls of 10,000 documents in windows of 1,000 at concurrency 4 (median; the floor's figure is ten sequential
 * 1,000-document calls); then the second workload, CALLS / 5 sequential calls of 1,000 passages of 2,000 bytes
 * against a server answering without a Content-Length (p50), and the heap left after a full GC.
 * Then the goals met or not, and with BENCH_COMPARE (an earlier run's client.json) how far each ratio moved.
 * Environment: ROUNDS (default 7), CALLS (default 300), CLIENTS (comma-separated subset), BENCH_RESULTS (a folder
 * for client.json), BENCH_COMPARE.
 */
import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Clients from "./clients.js"
import * as Workload from "./workload.js"
import type { Order } from "./worker.js"

const rounds = Number(process.env.ROUNDS ?? 7)
const calls = Number(process.env.CALLS ?? 300)
const chosen = (process.env.CLIENTS?.split(",") ?? Clients.names) as ReadonlyArray<Clients.Name>

const canned = Workload.cannedResponse()
const { port, server } = await Workload.startServer()
const baseUrl = `http://127.0.0.1:${port}`
const chunked = await Workload.startServer({ chunked: true })
const chunkedUrl = `http://127.0.0.1:${chunked.port}`

interface Worker {
  readonly name: Clients.Name
  readonly ask: (order: Order) => Promise<any>
  readonly process: ChildProcess
}

const start = (name: Clients.Name): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL("./worker.ts", import.meta.url)), [name, baseUrl, chunkedUrl], {
      execArgv: ["--expose-gc", "--conditions=source", "--import", "tsx"]
    })
    let pending: ((message: any) => void) | undefined
    child.on("message", (message: any) => {
      if (message.ready) {
        resolve({
          name,
          process: child,
          ask: (order) =>
            new Promise((done, fail) => {
              pending = (reply) => (reply.ok ? done(reply.result) : fail(new Error(`${name}: ${reply.error}`)))
              child.send(order)
            })
        })
      } else pending?.(message)
    })
    child.on("error", reject)
  })

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const median = (values: ReadonlyArray<number>) => percentile(values, 50)

interface Figures {
  p50: number
  p99: number
  perSecond: number
  /** The client process's CPU time per call at concurrency 16. */
  cpuPerCall: number
  batched: number | undefined
  /** p50 of the second workload: 2,000-byte passages, an answer without a Content-Length. */
  long: number
  /** Heap in MB after the calls and a full GC. */
  heap: number
  /**
   * Over several rounds, the median of each round's ratio to that round's floor: steadier than the ratio of the
   * medians, since a round on a busy moment moves every client of that round together.
   */
  ratios?: { readonly p50: number; readonly perSecond: number; readonly batched?: number; readonly long: number }
}

const workers: Array<Worker> = []
for (const name of chosen) workers.push(await start(name))

const byRound: Array<Map<Clients.Name, Figures>> = []
for (let round = 0; round < rounds; round++) {
  const figures = new Map<Clients.Name, Figures>()
  // Rotate who goes first, so no client always runs right after the same neighbour.
  const order = workers.map((_, i) => workers[(i + round) % workers.length])
  for (const worker of order) {
    await worker.ask({ phase: "warmup", count: 30 })
    const latencies: Array<number> = await worker.ask({ phase: "sequential", count: calls })
    const { cpuPerCall, perSecond } = await worker.ask({ phase: "concurrent", count: 3 * calls, concurrency: 16 })
    const batched: Array<number> | null = await worker.ask({ phase: "batched", count: 5 })
    const long: Array<number> = await worker.ask({ phase: "long", count: Math.max(20, Math.floor(calls / 5)) })
    const heap: number = await worker.ask({ phase: "heap" })
    figures.set(worker.name, {
      p50: median(latencies),
      p99: percentile(latencies, 99),
      perSecond,
      cpuPerCall,
      batched: batched === null ? undefined : median(batched),
      long: median(long),
      heap
    })
  }
  byRound.push(figures)
}

const pad = (text: string, width: number) => text.padStart(width)
const times = (r: number) => `${r.toFixed(2)}x`
/** A figure's ratio to the floor: the rounds' median ratio where there is one. */
const ratioOf = (f: Figures, floor: Figures, key: "p50" | "perSecond" | "long" | "batched"): number | undefined => {
  const median = f.ratios?.[key]
  if (median !== undefined) return median
  const value = f[key]
  const base = floor[key]
  return value === undefined || base === undefined ? undefined : value / base
}
const print = (title: string, figures: Map<Clients.Name, Figures>) => {
  const floor = figures.get("floor")
  console.log(`\n${title}`)
  console.log(
    [
      "client".padEnd(20),
      "p50 ms",
      "vs floor",
      "p99 ms",
      "calls/s@16",
      "vs floor",
      "CPU ms/call",
      "10k ms",
      "vs floor",
      "long p50",
      "vs floor",
      "heap MB"
    ]
      .map((h, i) => (i === 0 ? h : pad(h, 10)))
      .join(" ")
  )
  for (const [name, f] of figures) {
    console.log(
      [
        name.padEnd(20),
        pad(f.p50.toFixed(2), 10),
        pad(floor ? times(ratioOf(f, floor, "p50")!) : "-", 10),
        pad(f.p99.toFixed(2), 10),
        pad(f.perSecond.toFixed(1), 10),
        pad(floor ? times(ratioOf(f, floor, "perSecond")!) : "-", 10),
        pad(f.cpuPerCall.toFixed(2), 10),
        pad(f.batched === undefined ? "-" : f.batched.toFixed(1), 10),
        pad(floor && ratioOf(f, floor, "batched") !== undefined ? times(ratioOf(f, floor, "batched")!) : "-", 10),
        pad(f.long.toFixed(2), 10),
        pad(floor ? times(ratioOf(f, floor, "long")!) : "-", 10),
        pad(f.heap.toFixed(1), 10)
      ].join(" ")
    )
  }
}

console.log(
  `bench:client  ${rounds} rounds x (30 warm-up, ${calls} sequential, ${3 * calls} at concurrency 16, 5 x 10k)`
)
console.log(
  `1,000 documents (${Buffer.byteLength(JSON.stringify(Workload.documents))} bytes), canned ${canned.length}-byte answer`
)
byRound.forEach((figures, i) => print(`round ${i + 1}`, figures))
const summary = new Map<Clients.Name, Figures>()
for (const name of chosen) {
  const all = byRound.map((figures) => figures.get(name)!)
  const batched = all.flatMap((f) => (f.batched === undefined ? [] : [f.batched]))
  summary.set(name, {
    p50: median(all.map((f) => f.p50)),
    p99: median(all.map((f) => f.p99)),
    perSecond: median(all.map((f) => f.perSecond)),
    cpuPerCall: median(all.map((f) => f.cpuPerCall)),
    batched: batched.length === 0 ? undefined : median(batched),
    long: median(all.map((f) => f.long)),
    heap: median(all.map((f) => f.heap)),
    ...(chosen.includes("floor")
      ? {
          ratios: (() => {
            const floors = byRound.map((figures) => figures.get("floor")!)
            const of = (key: "p50" | "perSecond" | "long") => median(all.map((f, i) => f[key] / floors[i][key]))
            const batchedRatios = all.flatMap((f, i) =>
              f.batched === undefined || floors[i].batched === undefined ? [] : [f.batched / floors[i].batched!]
            )
            return {
              p50: of("p50"),
              perSecond: of("perSecond"),
              long: of("long"),
              ...(batchedRatios.length === 0 ? {} : { batched: median(batchedRatios) })
            }
          })()
        }
      : {})
  })
}
print("median of rounds (10k column: our batched call vs ten sequential floor calls)", summary)

// The goals: on every transport, p50 at or below the AI SDK's and calls/s at concurrency 16 at or above it; over
// fetch, p50 within 1.25x and calls/s at least 0.8x of the floor.
const floorFigures = summary.get("floor")
const aiSdkFigures = summary.get("ai-sdk")
if (floorFigures !== undefined && aiSdkFigures !== undefined) {
  const aiP50 = ratioOf(aiSdkFigures, floorFigures, "p50")!
  const aiPerSecond = ratioOf(aiSdkFigures, floorFigures, "perSecond")!
  console.log(`\ngoals (ratios to the floor; the AI SDK at ${times(aiP50)} p50, ${times(aiPerSecond)} calls/s@16)`)
  for (const name of ["effect-fetch", "effect-undici", "effect-node"] as const) {
    const f = summary.get(name)
    if (f === undefined) continue
    const p50 = ratioOf(f, floorFigures, "p50")!
    const perSecond = ratioOf(f, floorFigures, "perSecond")!
    const checks = [
      `p50 ${times(p50)} ${p50 <= aiP50 ? "<=" : ">"} AI SDK`,
      `calls/s ${times(perSecond)} ${perSecond >= aiPerSecond ? ">=" : "<"} AI SDK`
    ]
    if (name === "effect-fetch") {
      checks.push(`p50 ${p50 <= 1.25 ? "<=" : ">"} 1.25x`, `calls/s ${perSecond >= 0.8 ? ">=" : "<"} 0.8x`)
    }
    console.log(`${name.padEnd(20)} ${checks.join(", ")}`)
  }
}

// Two runs agree when each client's ratios to the floor differ by at most 10%: BENCH_COMPARE names an earlier run's
// client.json (BENCH_RESULTS writes one).
if (process.env.BENCH_COMPARE !== undefined && floorFigures !== undefined) {
  const { readFileSync } = await import("node:fs")
  const earlier = JSON.parse(readFileSync(process.env.BENCH_COMPARE, "utf8")) as {
    measured: string
    medians: Record<string, Figures>
  }
  const earlierFloor = earlier.medians.floor
  console.log(`\nagainst the run of ${earlier.measured} (change in each ratio to the floor)`)
  let worst = 0
  for (const [name, f] of summary) {
    const before = earlier.medians[name]
    if (before === undefined || name === "floor") continue
    const change = (now: number, then: number) => {
      const difference = (now / then - 1) * 100
      worst = Math.max(worst, Math.abs(difference))
      return `${difference >= 0 ? "+" : ""}${difference.toFixed(1)}%`
    }
    console.log(
      `${name.padEnd(20)} p50 ${change(ratioOf(f, floorFigures, "p50")!, ratioOf(before, earlierFloor, "p50")!)}, ` +
        `calls/s@16 ${change(ratioOf(f, floorFigures, "perSecond")!, ratioOf(before, earlierFloor, "perSecond")!)}`
    )
  }
  console.log(
    `largest change ${worst.toFixed(1)}%: ${worst <= 10 ? "the runs agree within 10%" : "the runs differ by more than 10%"}`
  )
}
// For `pnpm docs:plots`: the medians, as measured, where BENCH_RESULTS says.
if (process.env.BENCH_RESULTS !== undefined) {
  const { mkdirSync, writeFileSync } = await import("node:fs")
  mkdirSync(process.env.BENCH_RESULTS, { recursive: true })
  writeFileSync(
    `${process.env.BENCH_RESULTS}/client.json`,
    JSON.stringify(
      { measured: new Date().toISOString(), rounds, calls, medians: Object.fromEntries(summary) },
      null,
      2
    ) + "\n"
  )
}

for (const worker of workers) worker.process.send({ phase: "exit" })
server.close()
chunked.server.close()
