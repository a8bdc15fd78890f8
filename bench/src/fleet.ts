/**
 * `pnpm bench:fleet`: a fleet on one key against a rate-limited upstream, with and without the shared quota; and
 * what the score cache saves on overlapping pages of the Vaswani queries.
 *
 * Quota: our server answers 429 (with Retry-After) past R calls a second (a token bucket, `--fault quota:limit=R`);
 * 4 worker processes send `count` calls each as fast as they can (concurrency 4 each). With the shared quota every
 * worker paces through one Redis token bucket of R a second; without it each just retries its 429s. Printed: calls
 * the upstream saw, its 429s, completed calls a second against R.
 *
 * Cache: each Vaswani query's BM25 top 100 read as two pages, ranks 1-60 then 41-100 (20 overlap), reranked by the
 * local reranker with the cache on: documents sent against documents reranked, and any page-2 answer that differs
 * from a fresh one (must be 0).
 */
import { Reranker } from "@effect-rerank/core"
import { Vaswani } from "@effect-rerank/eval"
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection, NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect, Either, Layer, Logger } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Redis from "../../test-utils/Redis.js"

const R = Number(process.env.FLEET_RATE ?? 20)
const WORKERS = 4
const COUNT = Number(process.env.FLEET_COUNT ?? 60)
/** What the workers pace to: a little under R, leaving room for the two buckets' clocks not being one. */
const LIMIT = Number(process.env.FLEET_LIMIT ?? Math.floor(R * 0.95))
const worker = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url))
const conformance = fileURLToPath(new URL("../../../shared/conformance", import.meta.url))

const runWorker = (args: ReadonlyArray<string>) =>
  Effect.async<{ ok: number; failed: number; startedAt: number; endedAt: number }, Error>((resume) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", worker, ...args], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk) => (out += String(chunk)))
    child.once("exit", (code) =>
      code === 0
        ? resume(Effect.succeed(JSON.parse(out.trim())))
        : resume(Effect.fail(new Error(`worker exited ${code}`)))
    )
  })

const phase = (redisUrl: string | undefined) =>
  Effect.gen(function* () {
    const statuses: Array<number> = []
    const recorder = Logger.make(({ annotations }) => {
      for (const [key, value] of annotations) if (key === "status") statuses.push(Number(value))
    })
    const context = yield* Layer.build(
      NodeServer.layer({
        port: 0,
        faults: { rules: [Either.getOrThrow(FaultInjection.parseRule(`quota:limit=${R}:window-ms=1000`))] }
      }).pipe(Layer.provide(LocalReranker.layer()), Layer.provide(Logger.replace(Logger.defaultLogger, recorder)))
    )
    const upstream = yield* HttpServer.addressFormattedWith((a) => Effect.succeed(a)).pipe(Effect.provide(context))
    const outcomes = yield* Effect.all(
      Array.from({ length: WORKERS }, () =>
        runWorker([upstream, redisUrl ?? "none", String(COUNT), "4", String(LIMIT), "1000"])
      ),
      { concurrency: "unbounded" }
    )
    // From the first worker's first call to the last worker's last answer: process start-up is not counted.
    const elapsed = (Math.max(...outcomes.map((o) => o.endedAt)) - Math.min(...outcomes.map((o) => o.startedAt))) / 1000
    const ok = outcomes.reduce((n, o) => n + o.ok, 0)
    const failed = outcomes.reduce((n, o) => n + o.failed, 0)
    return { sent: statuses.length, rejected: statuses.filter((s) => s === 429).length, ok, failed, elapsed }
  }).pipe(Effect.scoped)

const cacheFigure = Effect.gen(function* () {
  if (!existsSync(conformance)) return undefined
  const collection = yield* Vaswani.load(conformance)
  const cached = yield* Reranker.make(LocalReranker.provider().pipe(Either.getOrThrow), { cache: true })
  const fresh = yield* Reranker.make(LocalReranker.provider().pipe(Either.getOrThrow))
  let reranked = 0
  let sent = 0
  let differing = 0
  for (const [id, candidates] of collection.candidates) {
    const query = collection.queries.get(id) ?? ""
    for (const page of [candidates.slice(0, 60), candidates.slice(40, 100)]) {
      const texts = page.map((c) => c.text)
      const result = yield* cached.rerank({ query, documents: texts })
      reranked += texts.length
      sent += result.usage.sentDocuments ?? texts.length
      const again = yield* fresh.rerank({ query, documents: texts })
      if (JSON.stringify(again.results) !== JSON.stringify(result.results)) differing++
    }
  }
  return { queries: collection.candidates.size, reranked, sent, differing }
}).pipe(Effect.provide(NodeContext.layer))

const main = Effect.gen(function* () {
  console.log(
    `fleet: ${WORKERS} worker processes x ${COUNT} calls (concurrency 4 each), upstream quota R = ${R} calls/s (token bucket); shared quota paced to ${LIMIT}/s`
  )
  const redis = yield* Redis.start
  const rows: Array<readonly [string, Effect.Effect.Success<ReturnType<typeof phase>>]> = []
  for (const [name, url] of [
    ["shared quota (Redis)", redis.url],
    ["no shared quota", undefined]
  ] as const) {
    const r = yield* phase(url)
    rows.push([name, r])
    const rate = r.ok / r.elapsed
    console.log(
      `${name.padEnd(22)} upstream saw ${String(r.sent).padStart(4)} calls, ${String(r.rejected).padStart(4)} 429s; ` +
        `${r.ok} completed, ${r.failed} failed, in ${r.elapsed.toFixed(2)} s = ${rate.toFixed(1)} calls/s = ${((rate / R) * 100).toFixed(0)}% of R`
    )
  }
  const [shared, alone] = [rows[0][1], rows[1][1]]
  console.log(
    `goal: 0 429s with the shared quota (${shared.rejected === 0 ? "met" : "missed"}), throughput >= 90% of R ` +
      `(${shared.ok / shared.elapsed / R >= 0.9 ? "met" : "missed"}); the shared quota saved ${alone.rejected - shared.rejected} 429s`
  )
  if (process.env.BENCH_RESULTS !== undefined) {
    const { mkdirSync, writeFileSync } = yield* Effect.promise(() => import("node:fs"))
    mkdirSync(process.env.BENCH_RESULTS, { recursive: true })
    writeFileSync(
      `${process.env.BENCH_RESULTS}/fleet.json`,
      JSON.stringify(
        {
          measured: new Date().toISOString(),
          workers: WORKERS,
          count: COUNT,
          rate: R,
          limit: LIMIT,
          phases: rows.map(([name, r]) => ({ name, ...r }))
        },
        null,
        2
      ) + "\n"
    )
  }
  const cache = yield* cacheFigure
  if (cache === undefined) {
    console.log("cache: skipped, ../shared/conformance is absent")
  } else {
    console.log(
      `cache: ${cache.queries} Vaswani queries, two overlapping pages each (BM25 ranks 1-60, 41-100): ` +
        `${cache.reranked} documents reranked, ${cache.sent} sent (${((1 - cache.sent / cache.reranked) * 100).toFixed(1)}% from the cache); ` +
        `${cache.differing} page answers differ from fresh ones`
    )
  }
}).pipe(Effect.scoped)

await Effect.runPromise(main)
process.exit(0)
