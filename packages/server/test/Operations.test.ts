import { Reranker, RerankError } from "@effect-rerank/core"
import { RerankServer, ServerStatus } from "@effect-rerank/server"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { request as httpRequest } from "node:http"
import { connect, type Socket } from "node:net"
import { raw, startServer } from "./Sockets.js"

/** Fails (not dies) when the connection is refused or cut, so a test can expect it. */
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.tryPromise(async () => {
    const response = await fetch(url, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers }
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: (() => {
        try {
          return JSON.parse(text)
        } catch {
          return undefined
        }
      })()
    }
  })

const get = (url: string) =>
  Effect.tryPromise(async () => {
    const response = await fetch(url)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

/** A request sent with its path exactly as written (fetch would resolve dot segments first). */
const literalPath = (port: number, method: string, path: string, body = "") =>
  Effect.async<{ status: number; text: string }>((resume) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, method, path, headers: { "content-type": "application/json" } },
      (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk) => chunks.push(chunk))
        response.on("end", () =>
          resume(Effect.succeed({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
        )
      }
    )
    request.end(body)
  })

const logged = (logs: ReadonlyArray<string>) =>
  logs
    .map((line) => JSON.parse(line) as { message: unknown; annotations: Record<string, unknown> })
    .filter((line) => JSON.stringify(line.message).includes("request"))
    .map((line) => line.annotations)

/** Metric samples `name{labels} value` of a Prometheus text, by name and a label subset. */
const sample = (text: string, name: string, labels: Record<string, string> = {}) =>
  text
    .split("\n")
    .filter((line) => line.startsWith(name + "{") || line.startsWith(name + " "))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)

/** A reranker whose every call waits for `gate`. */
const gated = (gate: Deferred.Deferred<void>) =>
  Layer.effect(
    Reranker.Reranker,
    Reranker.make(Reranker.testProvider((_, text) => Effect.as(Deferred.await(gate), text.length)))
  )

describe("bounds: every route, before the work", () => {
  it.scopedLive("a /tei/rerank request of 200,000 texts is refused with 413 in TEI's shape, from a scan", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const texts = Array.from({ length: 200_000 }, (_, i) => `t${i}`)
      const tei = yield* post(`${url}/tei/rerank`, { query: "q", texts })
      expect(tei.status).toBe(413)
      expect(tei.json).toEqual({
        error: "request too large: limit is 10000 documents (texts has 200000)",
        error_type: "Validation"
      })
      const bedrock = yield* post(`${url}/bedrock/rerank`, {
        queries: [{ type: "TEXT", textQuery: { text: "q" } }],
        sources: texts.slice(0, 10_001).map((text) => ({
          type: "INLINE",
          inlineDocumentSource: { type: "TEXT", textDocument: { text } }
        })),
        rerankingConfiguration: { type: "BEDROCK_RERANKING_MODEL" }
      })
      expect(bedrock.status).toBe(413)
      expect(bedrock.json.message).toBe("request too large: limit is 10000 documents (sources has 10001)")
      // Exactly at the limit is served.
      const atLimit = yield* post(`${url}/v2/rerank`, {
        model: "m",
        query: "q",
        documents: texts.slice(0, 10_000),
        top_n: 1
      })
      expect(atLimit.status).toBe(200)
    })
  )

  it.scopedLive("--max-documents is the operator's: a lower bound refuses at one past it, on every protocol", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer({ maxDocuments: 3 })
      const four = ["a", "b", "c", "d"]
      const bodies: ReadonlyArray<[string, unknown]> = [
        ["/v2/rerank", { model: "m", query: "q", documents: four }],
        ["/v1/rerank", { query: "q", documents: four.map((text) => ({ text })) }],
        ["/jina/v1/rerank", { model: "m", query: "q", documents: four }],
        ["/voyage/v1/rerank", { model: "m", query: "q", documents: four }],
        ["/pinecone/rerank", { model: "m", query: "q", documents: four.map((text) => ({ text })) }],
        ["/together/v1/rerank", { model: "m", query: "q", documents: four }],
        ["/mixedbread/v1/reranking", { model: "m", query: "q", input: four }],
        ["/vllm/v1/rerank", { model: "m", query: "q", documents: four }]
      ]
      for (const [path, body] of bodies) {
        const answer = yield* post(url + path, body)
        expect([path, answer.status]).toEqual([path, 413])
        expect(answer.text).toContain("limit is 3 documents")
      }
      expect((yield* post(`${url}/v2/rerank`, { model: "m", query: "q", documents: four.slice(0, 3) })).status).toBe(
        200
      )
    })
  )

  it.scopedLive(
    "when full, a new connection closes the one waiting longest without a request: slow clients lock nobody out",
    () =>
      Effect.gen(function* () {
        const { port, url } = yield* startServer({ maxConnections: 5 })
        const slow: Array<Socket> = []
        const closed: Array<number> = []
        for (let i = 0; i < 8; i++) {
          const socket = connect(port, "127.0.0.1")
          socket.on("error", () => {})
          socket.on("close", () => closed.push(i))
          yield* Effect.async<void>((resume) => {
            socket.on("connect", () => {
              // Headers begun, never finished: a slowloris.
              socket.write("POST /v2/rerank HTTP/1.1\r\nHost: x\r\n")
              resume(Effect.void)
            })
          })
          slow.push(socket)
        }
        const answer = yield* post(`${url}/v2/rerank`, { model: "m", query: "q", documents: ["a", "b"] })
        expect(answer.status).toBe(200)
        yield* Effect.sleep("100 millis")
        // Five fit; each newcomer past them closed the oldest slow one: 0, 1, 2 for slow ones, 3 for the fetch.
        expect(closed.slice(0, 4).sort()).toEqual([0, 1, 2, 3])
        for (const socket of slow) socket.destroy()
      })
  )

  it.scopedLive("slow bodies too: a client trickling its body is dropped before a request being answered", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { port, url } = yield* startServer({ maxConnections: 3 }, gated(gate))
      // One request being answered (its body arrived; the reranker holds it).
      const answering = yield* Effect.fork(post(`${url}/v2/rerank`, { model: "m", query: "q", documents: ["ab", "a"] }))
      yield* Effect.sleep("100 millis")
      const closed: Array<number> = []
      const sockets: Array<Socket> = []
      for (let i = 0; i < 4; i++) {
        const socket = connect(port, "127.0.0.1")
        socket.on("error", () => {})
        socket.on("close", () => closed.push(i))
        yield* Effect.async<void>((resume) => {
          socket.on("connect", () => {
            socket.write("POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
            resume(Effect.void)
          })
        })
        sockets.push(socket)
        yield* Effect.sleep("20 millis")
      }
      yield* Effect.sleep("100 millis")
      // Three fit (the one answering and two tricklers); each newcomer past them closed the oldest trickler.
      expect(closed.sort()).toEqual([0, 1])
      yield* Deferred.succeed(gate, undefined)
      const answer = yield* Fiber.join(answering)
      expect(answer.status).toBe(200)
      for (const socket of sockets) socket.destroy()
    })
  )

  it.scopedLive("a client that never finishes its headers gets 408 after --headers-timeout", () =>
    Effect.gen(function* () {
      const { port } = yield* startServer({ headersTimeout: "300 millis", requestTimeout: "600 millis" })
      const { text } = yield* raw(port, ["POST /v2/rerank HTTP/1.1\r\nHost: x\r\n"], 5000)
      expect(text).toMatch(/^HTTP\/1\.1 408 /)
    })
  )
})

describe("paths: routed once, logged as routed", () => {
  it.scopedLive("//v2/rerank is served and logged as /v2/rerank; dot segments are 404, encoded or not", () =>
    Effect.gen(function* () {
      const { logs, port } = yield* startServer()
      const body = JSON.stringify({ model: "m", query: "q", documents: ["a"] })
      expect((yield* literalPath(port, "POST", "//v2/rerank", body)).status).toBe(200)
      for (const path of ["/jina/../v2/rerank", "/v2/./rerank", "/jina/%2e%2e/v2/rerank", "/jina/%2E./v2/rerank"]) {
        const answer = yield* literalPath(port, "POST", path, body)
        expect([path, answer.status]).toEqual([path, 404])
      }
      const lines = logged(logs)
      expect(lines[0]).toMatchObject({ method: "POST", path: "/v2/rerank", status: 200 })
      expect(lines[1]).toMatchObject({ path: "(dot segments)", status: 404 })
      // One line per request, each with its own request id.
      expect(lines.length).toBe(5)
      expect(new Set(lines.map((line) => line.request_id)).size).toBe(5)
    })
  )

  it("routedPath", () => {
    expect(RerankServer.routedPath("/v2/rerank?x=1")).toBe("/v2/rerank")
    expect(RerankServer.routedPath("///jina//v1/rerank")).toBe("/jina/v1/rerank")
    expect(RerankServer.routedPath("http://host:1/v2/rerank")).toBe("/v2/rerank")
    expect(RerankServer.routedPath("/a/../b")).toBeUndefined()
    expect(RerankServer.routedPath("/a/%2E%2e/b")).toBeUndefined()
    expect(RerankServer.routedPath("/a/..b/c")).toBe("/a/..b/c")
  })

  it.scopedLive("a client leaving mid-upload is logged as 499, not 413", () =>
    Effect.gen(function* () {
      const { logs, port } = yield* startServer()
      yield* raw(
        port,
        [
          "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
          '{"query":'
        ],
        300
      )
      yield* Effect.sleep("200 millis")
      expect(logged(logs).map((line) => line.status)).toEqual([499])
    })
  )

  it.scopedLive("a request id the client sends is kept when plain, replaced when not", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const body = { model: "m", query: "q", documents: ["a"] }
      const kept = yield* post(`${url}/v2/rerank`, body, { "x-request-id": "abc-123" })
      expect(kept.headers.get("x-request-id")).toBe("abc-123")
      const replaced = yield* post(`${url}/v2/rerank`, body, { "x-request-id": "a b\u00e9<script>" })
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    })
  )
})

describe("observability", () => {
  it.scopedLive("/metrics is Prometheus text whose counters follow a scripted run exactly", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const route = { http_route: "/jina/v1/rerank" }
      const before = (yield* get(`${url}/metrics`)).text
      const ok = { model: "m", query: "q", documents: ["a", "b", "c"] }
      for (let i = 0; i < 3; i++) expect((yield* post(`${url}/jina/v1/rerank`, ok)).status).toBe(200)
      expect((yield* post(`${url}/jina/v1/rerank`, { query: "q" })).status).toBe(400)
      const scraped = yield* get(`${url}/metrics`)
      expect(scraped.status).toBe(200)
      expect(scraped.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
      const after = scraped.text
      const delta = (name: string, labels: Record<string, string>) =>
        sample(after, name, labels) - sample(before, name, labels)
      expect(delta("http_server_request_duration_count", { ...route, http_response_status_code: "200" })).toBe(3)
      expect(delta("http_server_request_duration_count", { ...route, http_response_status_code: "400" })).toBe(1)
      expect(delta("rerank_server_documents_total", route)).toBe(9)
      expect(delta("rerank_calls_total", { gen_ai_system: "local", outcome: "ok" })).toBe(3)
      expect(delta("rerank_documents_sent_total", { gen_ai_system: "local" })).toBe(9)
      // Every line is a comment or a sample: the text format, nothing else.
      for (const line of after.split("\n").filter((l) => l !== "")) {
        expect(line).toMatch(
          /^(# (HELP|TYPE|UNIT) \S+ .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (\+Inf|NaN))$/
        )
      }
    })
  )

  it.scopedLive("/healthz while alive; /readyz names what fails: a check, an upstream failing every call", () =>
    Effect.gen(function* () {
      let redisUp = true
      const failing = Layer.effect(
        Reranker.Reranker,
        Reranker.make(
          Reranker.testProvider(() => Effect.fail(new RerankError.ServiceError({ status: 503 }))),
          { retry: { maxRetries: 0 } }
        )
      )
      const status = ServerStatus.make([{ name: "redis", check: Effect.sync(() => redisUp) }])
      const { url } = yield* startServer({ status }, failing)
      expect((yield* get(`${url}/healthz`)).status).toBe(200)
      const ready = yield* get(`${url}/readyz`)
      expect([ready.status, JSON.parse(ready.text)]).toEqual([
        200,
        { status: "ready", checks: { draining: "ok", upstream: "ok", redis: "ok" } }
      ])
      redisUp = false
      const noRedis = yield* get(`${url}/readyz`)
      expect([noRedis.status, JSON.parse(noRedis.text).checks.redis]).toEqual([503, "failing"])
      redisUp = true
      for (let i = 0; i < ServerStatus.failingAfter; i++) {
        expect((yield* post(`${url}/v2/rerank`, { model: "m", query: "q", documents: ["a"] })).status).toBe(503)
      }
      const upstream = yield* get(`${url}/readyz`)
      expect([upstream.status, JSON.parse(upstream.text).checks.upstream]).toEqual([503, "failing"])
      const page = JSON.parse((yield* get(`${url}/status.json`)).text)
      const reranks = page.lastErrors.filter((error: { path: string }) => error.path === "/v2/rerank")
      expect(reranks).toHaveLength(ServerStatus.failingAfter)
      expect(reranks[0]).toMatchObject({ status: 503, method: "POST", message: "internal server error" })
      // The readiness answers that said 503 are listed too, newest first.
      expect(page.lastErrors[0]).toMatchObject({ status: 503, method: "GET", path: "/readyz" })
    })
  )

  it.scopedLive("GET / is one self-contained HTML page", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const page = yield* get(`${url}/`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toMatch(/^text\/html/)
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'")
      expect(page.text).not.toMatch(/(src|href)="https?:/)
    })
  )
})

describe("graceful shutdown", () => {
  it.live("requests in flight finish; new connections are refused; /readyz says 503 meanwhile", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      const status = ServerStatus.make()
      const { port, url } = yield* startServer({ status, drainTimeout: "5 seconds" }, gated(gate)).pipe(
        Scope.extend(scope)
      )
      const inFlight = yield* Effect.fork(post(`${url}/v2/rerank`, { model: "m", query: "q", documents: ["ab", "a"] }))
      yield* Effect.promise(async () => {
        while (status.inFlight() === 0) await new Promise((r) => setTimeout(r, 10))
      })
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Effect.promise(async () => {
        while (!status.draining()) await new Promise((r) => setTimeout(r, 10))
      })
      const refused = yield* Effect.either(get(`http://127.0.0.1:${port}/healthz`).pipe(Effect.timeout("2 seconds")))
      expect(refused._tag).toBe("Left")
      yield* Deferred.succeed(gate, undefined)
      const answer = yield* Fiber.join(inFlight)
      expect(answer.status).toBe(200)
      expect(answer.json.results[0].index).toBe(0)
      yield* Fiber.join(closing)
      expect(status.inFlight()).toBe(0)
    })
  )

  it.live("past --drain-timeout the connections still open are closed and shutdown completes", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const scope = yield* Scope.make()
      const { url } = yield* startServer({ drainTimeout: "200 millis" }, gated(gate)).pipe(Scope.extend(scope))
      const stuck = yield* Effect.fork(
        Effect.either(post(`${url}/v2/rerank`, { model: "m", query: "q", documents: ["a"] }))
      )
      yield* Effect.sleep("100 millis")
      yield* Scope.close(scope, Exit.void)
      const outcome = yield* Fiber.join(stuck)
      // The connection was closed under it: fetch fails rather than waiting forever.
      expect(outcome._tag).toBe("Left")
    })
  )
})
