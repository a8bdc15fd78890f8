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
import { spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Redis from "../../../test-utils/Redis.js"

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
const gateway = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; kill: () => void }, Error>((resume) => {
      const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk)
        const match = /listening on (http:\/\/[^:]+:\d+)/.exec(stderr)
        if (match !== null) resume(Effect.succeed({ url: match[1], kill: () => child.kill() }))
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`gateway exited ${code}: ${stderr}`))))
    }),
    (g) => Effect.sync(() => g.kill())
  )

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
