/**
 * `rerank serve --upstream` as a gateway: two gateway processes on one real Redis share the upstream's quota, so a
 * fleet of clients behind them gets no 429 from a rate-limited upstream; and a score cache answers a repeated call
 * without going upstream.
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection, NodeServer } from "@effect-rerank/server"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Logger, Redacted } from "effect"
import { execFile, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Redis from "../../../test-utils/Redis.js"
import { serve } from "./ServeProcess.js"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const bin = join(root, "packages/cli/bin/rerank.mjs")

/** An upstream in this process that keeps the status of every request it answered. */
const upstream = (rule: string) =>
  Effect.gen(function* () {
    const statuses: Array<number> = []
    const recorder = Logger.make(({ annotations }) => {
      for (const [key, value] of annotations) if (key === "status") statuses.push(Number(value))
    })
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, faults: { rules: [Either.getOrThrow(FaultInjection.parseRule(rule))] } }).pipe(
        Layer.provide(LocalReranker.layer()),
        Layer.provide(Logger.replace(Logger.defaultLogger, recorder))
      )
    )
    const url = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address)).pipe(
      Effect.provide(context)
    )
    return { url, statuses }
  })

/** A gateway process: `rerank serve --port 0 ...`, its address read from what it announces. */
const gateway = (args: ReadonlyArray<string>, env: Record<string, string>) => serve(args, env)

const documents = ["Paris is the capital of France.", "Berlin is in Germany.", "The capital of Italy is Rome."]

describe.skipIf(!Redis.available)("rerank serve --upstream: a gateway", () => {
  it.scopedLive(
    "two gateways on one Redis keep a fleet under the upstream's quota: 0 429s upstream, calls paced",
    () =>
      Effect.gen(function* () {
        const redis = yield* Redis.start
        // The upstream allows 8 calls a second; the gateways pace to 6 a second between them.
        const up = yield* upstream("quota:limit=8:window-ms=1000")
        const env = { COHERE_API_KEY: "fleet-key" }
        const args = ["--upstream", "cohere", "--upstream-url", up.url, "--rate-limit", "6/1s", "--redis", redis.url]
        const gateways = yield* Effect.all([gateway(args, env), gateway(args, env)])
        const clients = gateways.map((g) =>
          Cohere.layer({ apiKey: Redacted.make("anything"), baseUrl: g.url, retry: { maxRetries: 0 } }).pipe(
            Layer.provide(FetchHttpClient.layer),
            Layer.orDie
          )
        )
        const start = Date.now()
        const results = yield* Effect.all(
          Array.from({ length: 24 }, (_, i) =>
            Reranker.rerank({ query: "capital of France", documents }).pipe(Effect.provide(clients[i % 2]))
          ),
          { concurrency: 12 }
        )
        const elapsed = Date.now() - start
        expect(results.every((r) => r.results[0].index === 0)).toBe(true)
        const upstreamCalls = up.statuses.length
        expect(up.statuses.filter((s) => s === 429)).toEqual([])
        expect(upstreamCalls).toBe(24)
        // A full bucket of 6, then one call every 1/6 s: the last of 24 goes out after about 3 s.
        expect(elapsed).toBeGreaterThanOrEqual(2_500)
      }),
    60_000
  )

  it.scopedLive(
    "--redis-required: while Redis is down, calls get 503 with Retry-After instead of going out unpaced",
    () =>
      Effect.gen(function* () {
        const redis = yield* Redis.start
        const up = yield* upstream("quota:limit=100")
        const g = yield* gateway(
          [
            "--upstream",
            "cohere",
            "--upstream-url",
            up.url,
            "--rate-limit",
            "50/1s",
            "--redis",
            redis.url,
            "--redis-required"
          ],
          { COHERE_API_KEY: "k" }
        )
        const call = Effect.promise(() =>
          fetch(`${g.url}/v2/rerank`, {
            method: "POST",
            body: JSON.stringify({ model: "rerank-v3.5", query: "capital of France", documents })
          }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get("retry-after"), body: await r.json() }))
        )
        expect((yield* call).status).toBe(200)
        yield* redis.stop
        const refused = yield* call
        expect([refused.status, refused.retryAfter]).toEqual([503, "5"])
        expect(refused.body.message).toBe(
          "service unavailable: the shared quota's store cannot be reached, so no call is paced"
        )
        expect(up.statuses).toEqual([200])
        // Back up, so that the gateway can close its connection and exit (ioredis's quit waits for a server).
        yield* redis.start
      }),
    60_000
  )

  it.scopedLive(
    "--cache: a repeated call is answered from the cache, without going upstream",
    () =>
      Effect.gen(function* () {
        const up = yield* upstream("quota:limit=100")
        const [g] = yield* Effect.all([
          gateway(["--upstream", "cohere", "--upstream-url", up.url, "--cache", "memory"], { COHERE_API_KEY: "k" })
        ])
        const client = Cohere.layer({ apiKey: Redacted.make("anything"), baseUrl: g.url }).pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.orDie
        )
        const first = yield* Reranker.rerank({ query: "capital of France", documents }).pipe(Effect.provide(client))
        const second = yield* Reranker.rerank({ query: "capital of France", documents }).pipe(Effect.provide(client))
        expect(second.results).toEqual(first.results)
        expect(up.statuses).toEqual([200])
      }),
    60_000
  )
})

/** `rerank <args>` as a user runs it; its exit code and what it printed. */
const rerank = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<{ code: number; stdout: string; stderr: string }>((resume) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resume(Effect.succeed({ code: error === null ? 0 : (error.code as number), stdout, stderr }))
    )
  })

describe("rerank serve --upstream: what it says", () => {
  it.scopedLive(
    "the upstream refusing the gateway's key: a 502 saying so, and rerank query exits 14 naming the gateway",
    () =>
      Effect.gen(function* () {
        const context = yield* Layer.build(
          NodeServer.layer({ port: 0, apiKey: Redacted.make("right-upstream-key") }).pipe(
            Layer.provide(LocalReranker.layer()),
            Layer.provide(Logger.remove(Logger.defaultLogger))
          )
        )
        const up = yield* HttpServer.addressFormattedWith(Effect.succeed).pipe(Effect.provide(context))
        const g = yield* gateway(["--upstream", "cohere", "--upstream-url", up], {
          COHERE_API_KEY: "wrong-upstream-key"
        })
        const run = yield* rerank(
          [
            "query",
            "capital of France",
            "--file",
            join(root, "examples/capital-documents.txt"),
            "--provider",
            "cohere",
            "--base-url",
            g.url
          ],
          { COHERE_API_KEY: "callers-key" }
        )
        expect(run.code).toBe(14)
        expect(run.stderr).toContain("the gateway's upstream credentials were refused")
        expect(run.stderr.trim().split("\n")).toHaveLength(1)
      }),
    60_000
  )

  it.scopedLive(
    "REDIS_URL is read only when a flag asks for Redis: a plain server starts with it set; bad --model-map exits 2",
    () =>
      Effect.gen(function* () {
        const env = { REDIS_URL: "redis://127.0.0.1:1" }
        const plain = yield* gateway([], env)
        expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const bad = yield* rerank(["serve", "--port", "0", "--upstream", "cohere", "--model-map", "no-equals"], {
          COHERE_API_KEY: "k"
        })
        expect(bad.code).toBe(2)
        expect(bad.stderr).toBe('rerank: --model-map must look like FROM=TO, got "no-equals"\n')
      }),
    60_000
  )
})

describe("rerank serve with Redis away", () => {
  /** `rerank serve` for `ms`, then stopped: its exit code (null when still running) and everything it printed. */
  const watch = (args: ReadonlyArray<string>, ms: number) =>
    Effect.async<{ code: number | null; stderr: string }>((resume) => {
      const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.on("data", (chunk) => (stderr += String(chunk)))
      const timer = setTimeout(() => child.kill(), ms)
      child.once("exit", (code) => {
        clearTimeout(timer)
        resume(Effect.succeed({ code: child.killed ? null : code, stderr }))
      })
    })
  const away = "redis://:secret-password@127.0.0.1:1"

  it.live(
    "one clear line at start, no library stack traces while it stays away; --redis-required refuses to start",
    () =>
      Effect.gen(function* () {
        const served = yield* watch(["--rate-limit", "10/1s", "--redis", away, "--cache", "redis"], 4_000)
        expect(served.code).toBeNull()
        const lines = served.stderr.trim().split("\n")
        expect(lines.filter((line) => line.includes("cannot be reached"))).toEqual([
          "rerank: Redis at 127.0.0.1:1 cannot be reached: calls go out unpaced and scores are not shared until it is back (--redis-required refuses them instead)."
        ])
        expect(served.stderr).toContain("listening on")
        expect(served.stderr).not.toMatch(/ioredis|ECONNREFUSED|secret-password|\n\s+at /)
        const refused = yield* watch(["--rate-limit", "10/1s", "--redis", away, "--redis-required"], 20_000)
        expect(refused.code).toBe(13)
        expect(refused.stderr).toBe(
          "rerank: cannot start the server: Redis at 127.0.0.1:1 cannot be reached, and --redis-required says not to start without it.\n"
        )
      }),
    60_000
  )
})
