import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { createServer } from "node:http"
import { bin, serve } from "./ServeProcess.js"

const post = (url: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body: JSON.stringify(body) })
    return { status: response.status, text: await response.text() }
  })

const text = (url: string) => Effect.promise(() => fetch(url).then((response) => response.text()))

/** A sample's value in Prometheus text, by name and exact label set (in the exporter's order). */
const value = (metrics: string, series: string) => {
  const line = metrics.split("\n").find((l) => l.startsWith(series + " "))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const rerank = (args: ReadonlyArray<string>) =>
  Effect.async<{ code: number; stderr: string }>((resume) => {
    execFile(process.execPath, [bin, ...args], (error, _stdout, stderr) =>
      resume(Effect.succeed({ code: error === null ? 0 : Number(error.code), stderr }))
    )
  })

const documents = ["Paris is the capital of France.", "Berlin is in Germany.", "Rome is in Italy."]

describe("rerank serve, operated", () => {
  it.scopedLive(
    "/metrics after a scripted run: every counter exactly; one log line per request, with its id",
    () =>
      Effect.gen(function* () {
        const server = yield* serve([])
        for (let i = 0; i < 3; i++) {
          expect((yield* post(`${server.url}/v2/rerank`, { model: "m", query: "capital", documents })).status).toBe(200)
        }
        expect((yield* post(`${server.url}/jina/v1/rerank`, { query: "q" })).status).toBe(400)
        expect((yield* post(`${server.url}/nowhere`, {})).status).toBe(404)
        const metrics = yield* text(`${server.url}/metrics`)
        const duration = "http_server_request_duration_count"
        expect(
          value(
            metrics,
            `${duration}{unit="s",http_request_method="POST",http_route="/v2/rerank",http_response_status_code="200"}`
          )
        ).toBe(3)
        expect(
          value(
            metrics,
            `${duration}{unit="s",http_request_method="POST",http_route="/jina/v1/rerank",http_response_status_code="400"}`
          )
        ).toBe(1)
        expect(
          value(
            metrics,
            `${duration}{unit="s",http_request_method="POST",http_route="unmatched",http_response_status_code="404"}`
          )
        ).toBe(1)
        expect(value(metrics, `rerank_calls_total{gen_ai_system="local",outcome="ok"}`)).toBe(3)
        expect(value(metrics, `rerank_windows_total{gen_ai_system="local"}`)).toBe(3)
        expect(value(metrics, `rerank_documents_sent_total{gen_ai_system="local"}`)).toBe(9)
        expect(value(metrics, `rerank_server_documents_total{http_route="/v2/rerank"}`)).toBe(9)
        expect(value(metrics, `http_server_active_requests`)).toBe(1)
        const lines = server.stdout().trim().split("\n")
        expect(lines).toHaveLength(6)
        for (const line of lines)
          expect(line).toMatch(
            /^timestamp=\S+ level=INFO fiber=#\d+ message=request request_id=[0-9a-f-]{36} path=\S+ status=\d+ method=(GET|POST) ms=\d+$/
          )
        expect(lines.map((line) => /path=(\S+) status=(\d+)/.exec(line)!.slice(1).join(" "))).toEqual([
          "/v2/rerank 200",
          "/v2/rerank 200",
          "/v2/rerank 200",
          "/jina/v1/rerank 400",
          "/nowhere 404",
          "/metrics 200"
        ])
      }),
    30_000
  )

  it.scopedLive(
    "--log-format json: one JSON object per request",
    () =>
      Effect.gen(function* () {
        const server = yield* serve(["--log-format", "json"])
        yield* post(`${server.url}/v2/rerank`, { model: "m", query: "capital", documents })
        yield* Effect.sleep("100 millis")
        const [line] = server
          .stdout()
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
        expect(line).toMatchObject({
          message: "request",
          logLevel: "INFO",
          annotations: { method: "POST", path: "/v2/rerank", status: 200 }
        })
        expect(line.annotations.request_id).toMatch(/^[0-9a-f-]{36}$/)
      }),
    30_000
  )

  it.scopedLive(
    "SIGTERM drains: a request in flight is answered, then the process exits 0",
    () =>
      Effect.gen(function* () {
        // Every call waits 1.5 s: one is in flight when the signal comes.
        const server = yield* serve(["--fault", "delay:ms=1500", "--drain-timeout", "10s"])
        const inFlight = post(`${server.url}/v2/rerank`, { model: "m", query: "capital", documents }).pipe(Effect.fork)
        const fiber = yield* inFlight
        yield* Effect.sleep("500 millis")
        server.child.kill("SIGTERM")
        const answer = yield* fiber.await
        expect(answer._tag).toBe("Success")
        if (answer._tag === "Success") expect(answer.value.status).toBe(200)
        expect(yield* Effect.promise(() => server.exited)).toBe(0)
        expect(server.stdout()).toContain("message=draining in_flight=1")
      }),
    30_000
  )

  it.scopedLive(
    "SIGTERM with Redis away: still exits 0, promptly",
    () =>
      Effect.gen(function* () {
        const server = yield* serve(["--rate-limit", "10/1s", "--redis", "redis://127.0.0.1:1", "--cache", "redis"])
        yield* post(`${server.url}/v2/rerank`, { model: "m", query: "capital", documents })
        const start = Date.now()
        server.child.kill("SIGTERM")
        expect(yield* Effect.promise(() => server.exited)).toBe(0)
        expect(Date.now() - start).toBeLessThan(15_000)
      }),
    40_000
  )

  it.scopedLive(
    "OTEL_EXPORTER_OTLP_ENDPOINT: each call's spans reach the collector over OTLP",
    () =>
      Effect.gen(function* () {
        const received: Array<{ path: string; body: string }> = []
        const collector = yield* Effect.acquireRelease(
          Effect.async<{ port: number; close: () => void }>((resume) => {
            const http = createServer((request, response) => {
              let body = ""
              request.on("data", (chunk) => (body += String(chunk)))
              request.on("end", () => {
                received.push({ path: request.url ?? "", body })
                response.end("{}")
              })
            })
            http.listen(0, "127.0.0.1", () => {
              const address = http.address()
              resume(
                Effect.succeed({
                  port: typeof address === "object" && address !== null ? address.port : 0,
                  close: () => http.close()
                })
              )
            })
          }),
          (c) => Effect.sync(c.close)
        )
        const server = yield* serve([], {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
          OTEL_SERVICE_NAME: "rerank-test"
        })
        yield* post(`${server.url}/v2/rerank`, { model: "m", query: "capital", documents })
        yield* Effect.promise(async () => {
          for (let i = 0; i < 100 && !received.some((r) => r.body.includes("Reranker.rerank")); i++) {
            await new Promise((r) => setTimeout(r, 100))
          }
        })
        const traces = received.find((r) => r.body.includes("Reranker.rerank"))
        expect(traces?.path).toBe("/v1/traces")
        expect(traces?.body).toContain("rerank-test")
        // Attributes, never the query or the documents.
        expect(traces?.body).toContain("gen_ai.system")
        expect(traces?.body).not.toContain("Paris is the capital")
      }),
    30_000
  )

  it.scopedLive(
    "warnings: a server without a key on a non-loopback address, or fronting a paid provider",
    () =>
      Effect.gen(function* () {
        const open = yield* serve(["--host", "0.0.0.0"])
        expect(open.stderr()).toContain(
          "rerank: warning: serving on 0.0.0.0 without --api-key: anyone who can reach this address can use it."
        )
        const keyed = yield* serve(["--host", "0.0.0.0", "--api-key", "k"])
        expect(keyed.stderr()).not.toContain("warning")
        const paid = yield* serve(["--upstream", "cohere"], { COHERE_API_KEY: "upstream-key" })
        expect(paid.stderr()).toContain(
          "rerank: warning: fronting Cohere without --api-key: every caller's request is billed to this server's Cohere key."
        )
        expect(paid.stderr()).not.toContain("upstream-key")
      }),
    30_000
  )

  it.scopedLive(
    "a gateway's --max-upstream-calls: a request needing more upstream calls is 413 before any is sent",
    () =>
      Effect.gen(function* () {
        const upstream = yield* serve([])
        const gateway = yield* serve(
          ["--upstream", "cohere", "--upstream-url", upstream.url, "--max-upstream-calls", "1"],
          { COHERE_API_KEY: "k" }
        )
        const many = Array.from({ length: 1001 }, (_, i) => `document ${i}`)
        const refused = yield* post(`${gateway.url}/v2/rerank`, { model: "rerank-v3.5", query: "q", documents: many })
        expect(refused.status).toBe(413)
        expect(JSON.parse(refused.text).message).toBe("request too large: limit is 1000 documents")
        expect(upstream.stdout()).toBe("")
        const fits = yield* post(`${gateway.url}/v2/rerank`, {
          model: "rerank-v3.5",
          query: "q",
          documents: many.slice(0, 1000)
        })
        expect(fits.status).toBe(200)
      }),
    30_000
  )

  it.live("bad bounds are usage errors naming the flag", () =>
    Effect.gen(function* () {
      const badDuration = yield* rerank(["serve", "--headers-timeout", "soon"])
      expect(badDuration).toEqual({
        code: 2,
        stderr: 'rerank: --headers-timeout must be a duration above zero such as 500ms, 10s or 2m, got "soon".\n'
      })
      const inverted = yield* rerank(["serve", "--headers-timeout", "1m", "--request-timeout", "10s"])
      expect(inverted.stderr).toBe("rerank: --headers-timeout (1m) must not be longer than --request-timeout (10s).\n")
      const zero = yield* rerank(["serve", "--max-documents", "0"])
      expect(zero).toEqual({ code: 2, stderr: "rerank: --max-documents must be a whole number above zero, got 0.\n" })
    })
  )
})
