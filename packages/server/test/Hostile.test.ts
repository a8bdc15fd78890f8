import { Reranker } from "@effect-rerank/core"
import { FaultInjection } from "@effect-rerank/server"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import * as LocalServer from "./LocalServer.js"
import { raw, startServer } from "./Sockets.js"

const post = (url: string, body: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })
    return { status: response.status, headers: response.headers, body: await response.json().catch(() => null) }
  })

const chunk = (data: string) => `${Buffer.byteLength(data).toString(16)}\r\n${data}\r\n`

describe("the server against hostile and careless clients", () => {
  it.scopedLive("a chunked body over --max-body-bytes gets the documented 413, not a reset", () =>
    Effect.gen(function* () {
      const { port } = yield* startServer({ maxBodyBytes: 1000 })
      const head =
        "POST /v2/rerank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      const pieces = [head, ...Array.from({ length: 5 }, () => chunk("x".repeat(500))), "0\r\n\r\n"]
      const { reset, text } = yield* raw(port, pieces)
      expect(text).toMatch(/^HTTP\/1\.1 413 /)
      expect(text).toContain("limit is 1000 bytes")
      expect(reset).toBe(false)
    })
  )

  it.scopedLive(
    "a body over the limit with a Content-Length, or sent without the key, gets its 413 / 401, not a reset",
    () =>
      Effect.gen(function* () {
        const limit = 64 * 1024
        const { port } = yield* startServer({ maxBodyBytes: limit })
        const keyed = yield* startServer({ maxBodyBytes: limit, apiKey: Redacted.make("right") })
        // As SDKs send: a declared length, the body written in pieces while the server may already be answering.
        const send = (to: number, size: number, headers: Record<string, string> = {}) =>
          Effect.async<number | string>((resume) => {
            const piece = Buffer.alloc(16 * 1024, "x")
            const request = httpRequest(
              {
                port: to,
                host: "127.0.0.1",
                method: "POST",
                path: "/v2/rerank",
                headers: { "content-length": String(size), ...headers }
              },
              (response) => {
                response.resume()
                resume(Effect.succeed(response.statusCode ?? 0))
              }
            )
            request.on("error", (error: NodeJS.ErrnoException) => resume(Effect.succeed(error.code ?? "error")))
            let sent = 0
            const write = () => {
              while (sent < size) {
                const n = Math.min(piece.length, size - sent)
                sent += n
                if (!request.write(piece.subarray(0, n))) return void request.once("drain", write)
              }
              request.end()
            }
            write()
          })
        const tooLarge = yield* Effect.forEach(Array.from({ length: 20 }), () => send(port, 3 * limit), {
          concurrency: 4
        })
        expect(tooLarge).toEqual(Array.from({ length: 20 }, () => 413))
        const wrongKey = yield* Effect.forEach(
          Array.from({ length: 20 }),
          () => send(keyed.port, limit / 2, { authorization: "Bearer wrong" }),
          { concurrency: 4 }
        )
        expect(wrongKey).toEqual(Array.from({ length: 20 }, () => 401))
      })
  )

  it.scopedLive("a small body of deep nesting is refused before parsing", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const deep = `{"model":"m","query":"q","documents":${"[".repeat(100_000)}${"]".repeat(100_000)}}`
      const response = yield* post(`${url}/v2/rerank`, deep)
      expect(response.status).toBe(400)
      expect(response.body.message).toBe("invalid request: request body is nested deeper than 32 levels")
    })
  )

  it.scopedLive("wrong field types are named with the type they must have, values never quoted", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer()
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ model: "m", query: 5, documents: ["a"] }, "invalid request: query must be a string"],
        [{ model: "m", query: "q", documents: "a" }, "invalid request: documents must be an array"],
        [{ model: "m", query: "q", documents: ["a"], top_n: "3" }, "invalid request: top_n must be a positive integer"],
        [{ model: 7, query: "q", documents: ["a"] }, "invalid request: model must be a string"],
        [
          { model: "m", query: "q", documents: [{ secret: "document text" }] },
          "invalid request: documents[0] must be a string"
        ]
      ]
      for (const [body, message] of cases) {
        const response = yield* post(`${url}/v2/rerank`, JSON.stringify(body))
        expect(response.status).toBe(400)
        expect(response.body.message).toBe(message)
      }
    })
  )

  it.scopedLive("v1 rank_fields: own properties only, at most 100 names, and a long list costs nothing", () =>
    Effect.gen(function* () {
      const ranked: Array<string> = []
      const recording = Reranker.layerTest((_query, text) => (ranked.push(text), 1))
      const inherited = yield* post(
        `${yield* LocalServer.start({}, recording)}/v1/rerank`,
        JSON.stringify({
          query: "q",
          documents: [{ title: "q", text: "x" }],
          rank_fields: ["constructor", "title"],
          return_documents: true
        })
      )
      expect(inherited.status).toBe(200)
      expect(ranked).toEqual(["title: q"])
      // The document itself comes back as it was sent.
      expect(inherited.body.results[0].document).toEqual({ title: "q", text: "x" })
      const { url } = yield* startServer()
      const fields = Array.from({ length: 10_000 }, (_, i) => `f${i}`)
      const documents = Array.from({ length: 1000 }, () => ({ text: "x" }))
      const started = Date.now()
      const long = yield* post(`${url}/v1/rerank`, JSON.stringify({ query: "q", documents, rank_fields: fields }))
      expect(long.status).toBe(400)
      expect(long.body.message).toBe("invalid request: rank_fields must have at most 100 fields")
      // Not a timing assertion on speed: a bound a quadratic scan (10,000 x 1,000) cannot meet, with room for load.
      expect(Date.now() - started).toBeLessThan(20_000)
    })
  )

  it.scopedLive("GET on a rerank path is a 405 with Allow; other paths 404; every request one log line", () =>
    Effect.gen(function* () {
      const { logs, url } = yield* startServer()
      const get = yield* Effect.promise(() => fetch(`${url}/v2/rerank`))
      expect(get.status).toBe(405)
      expect(get.headers.get("allow")).toBe("POST")
      const missing = yield* Effect.promise(() => fetch(`${url}/nope?key=secret`, { method: "POST", body: "{}" }))
      expect(missing.status).toBe(404)
      const ok = yield* post(`${url}/v2/rerank`, JSON.stringify({ model: "m", query: "q", documents: ["a document"] }))
      expect(ok.status).toBe(200)
      expect(logs.length).toBe(3)
      expect(logs.map((line) => JSON.parse(line).annotations)).toMatchObject([
        { method: "GET", path: "/v2/rerank", status: 405 },
        { method: "POST", path: "/nope", status: 404 },
        { method: "POST", path: "/v2/rerank", status: 200 }
      ])
      for (const line of logs) {
        expect(line).not.toContain("secret")
        expect(line).not.toContain("a document")
      }
    })
  )

  it.scopedLive("a cut fault answers a well-framed 200 whose JSON stops halfway", () =>
    Effect.gen(function* () {
      const { url } = yield* startServer({ faults: { rules: [{ fault: { _tag: "Cut" } }] } })
      const response = yield* Effect.promise(async () => {
        const r = await fetch(`${url}/v2/rerank`, {
          method: "POST",
          body: JSON.stringify({ model: "m", query: "q", documents: ["a", "b"] }),
          headers: { "content-type": "application/json" }
        })
        return { status: r.status, length: r.headers.get("content-length"), text: await r.text() }
      })
      expect(response.status).toBe(200)
      expect(Number(response.length)).toBe(Buffer.byteLength(response.text))
      expect(() => JSON.parse(response.text)).toThrow()
    })
  )
})

describe("fault rules draw independently", () => {
  it("adding a rule before another does not change the later rule's own sequence", () => {
    const later: FaultInjection.Rule = { fault: { _tag: "Status", status: 503 }, probability: 0.3 }
    const alone = FaultInjection.make({ rules: [{ fault: { _tag: "Reset" }, probability: 0 }, later], seed: 7 })
    const withEarlier = FaultInjection.make({ rules: [{ fault: { _tag: "Reset" }, probability: 0.5 }, later], seed: 7 })
    const fired = (injector: FaultInjection.Injector, n: number) => Array.from({ length: n }, () => injector.next())
    const a = fired(alone, 200)
    const b = fired(withEarlier, 200)
    // Wherever the earlier rule stayed quiet, the later rule decided exactly as it did alone.
    let compared = 0
    for (let i = 0; i < 200; i++) {
      if (Option.isSome(b[i]) && b[i].pipe(Option.getOrThrow)._tag === "Reset") continue
      expect(b[i]).toEqual(a[i])
      compared++
    }
    expect(compared).toBeGreaterThan(50)
  })
})
