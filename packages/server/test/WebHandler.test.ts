/**
 * `RerankServer.makeApp` is a real `HttpApp`: as a web handler (`Request` in, `Response` out, what Bun, Deno and
 * Cloudflare Workers serve), with no Node server under it, it answers every protocol, checks the key, bounds the
 * body from the request's own stream, and answers the connection faults as responses (there is no socket to break).
 */
import { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection, RerankServer } from "@effect-rerank/server"
import { HttpApp, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"

const handlerOf = (options: RerankServer.Options = {}) =>
  Effect.map(RerankServer.makeApp(options).pipe(Effect.provide(LocalReranker.layer())), (app) =>
    HttpApp.toWebHandler(app)
  )

const post = (handler: (request: Request) => Promise<Response>, path: string, body: unknown, key?: string) =>
  Effect.promise(async () => {
    const response = await handler(
      new Request(`http://rerank.test${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` })
        },
        body: typeof body === "string" ? body : JSON.stringify(body)
      })
    )
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const documents = ["the cat sat", "capital of france is paris", "dogs bark"]

describe("makeApp as a web handler", () => {
  it.effect("answers Cohere at the root and Jina under its prefix, the same ranking as the reranker itself", () =>
    Effect.gen(function* () {
      const handler = yield* handlerOf()
      const direct = yield* Reranker.rerank({ query: "capital of france", documents }).pipe(
        Effect.provide(LocalReranker.layer())
      )
      const cohere = yield* post(handler, "/v2/rerank", { model: "m", query: "capital of france", documents })
      expect(cohere.status).toBe(200)
      expect(JSON.parse(cohere.text).results.map((r: { index: number }) => r.index)).toEqual(
        direct.results.map((r) => r.index)
      )
      const jina = yield* post(handler, "/jina/v1/rerank", { query: "capital of france", documents, top_n: 1 })
      expect(JSON.parse(jina.text).results[0].index).toBe(direct.results[0].index)
    })
  )

  it.effect("a wrong key is 401; a body past the limit, read from the stream, is 413", () =>
    Effect.gen(function* () {
      const handler = yield* handlerOf({ apiKey: Redacted.make("right"), maxBodyBytes: 200 })
      expect((yield* post(handler, "/v2/rerank", { query: "q", documents }, "wrong")).status).toBe(401)
      expect((yield* post(handler, "/v2/rerank", { query: "q", documents }, "righ")).status).toBe(401)
      expect((yield* post(handler, "/v2/rerank", { model: "m", query: "q", documents }, "right")).status).toBe(200)
      const big = yield* post(handler, "/v2/rerank", { query: "q", documents: ["x".repeat(500)] }, "right")
      expect(big.status).toBe(413)
      expect(JSON.parse(big.text).message).toBe("request body too large: limit is 200 bytes")
    })
  )

  it.effect("the connection faults, without a socket: reset is an empty 502, truncate half a body", () =>
    Effect.gen(function* () {
      const rule = (spec: string) => Either.getOrThrow(FaultInjection.parseRule(spec))
      const reset = yield* handlerOf({ faults: { rules: [rule("reset")] } })
      const broken = yield* post(reset, "/v2/rerank", { model: "m", query: "q", documents })
      expect([broken.status, broken.text, broken.headers.get("connection")]).toEqual([502, "", "close"])
      const truncate = yield* handlerOf({ faults: { rules: [rule("truncate")] } })
      const cut = yield* post(truncate, "/v2/rerank", { model: "m", query: "q", documents })
      expect(cut.status).toBe(200)
      expect(() => JSON.parse(cut.text)).toThrow()
    })
  )
})

describe("FaultInjection.middleware around an app of your own", () => {
  const body = JSON.stringify({ answer: "the whole of it", padding: "x".repeat(40) })
  const app = HttpServerResponse.text(body, { contentType: "application/json" })
  const failing = HttpServerResponse.text("nope", { status: 404 })
  const call = (handler: (request: Request) => Promise<Response>) =>
    Effect.promise(async () => {
      const response = await handler(new Request("http://app.test/", { method: "POST", body: "{}" }))
      return { status: response.status, headers: response.headers, text: await response.text() }
    })
  const answers: FaultInjection.Answers = {
    status: (status, retryAfter) =>
      HttpServerResponse.text(`fault ${status}`, {
        status,
        headers: retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }
      })
  }

  it.effect("draws one sequence: each rule on its own count, the first that fires deciding", () =>
    Effect.gen(function* () {
      const injector = FaultInjection.make({
        rules: [
          { fault: { _tag: "Status", status: 429, retryAfter: 2 }, every: 2 },
          { fault: { _tag: "Cut" }, every: 3 }
        ]
      })
      const handler = HttpApp.toWebHandler(FaultInjection.middleware(injector, answers)(app))
      const seen: Array<{ status: number; headers: Headers; text: string }> = []
      for (let i = 0; i < 6; i++) seen.push(yield* call(handler))
      // 1: nothing; 2: 429; 3: cut; 4: 429; 5: nothing; 6: both fire, the 429 (first in order) decides.
      expect(seen.map((r) => r.status)).toEqual([200, 429, 200, 429, 200, 429])
      expect(seen[0].text).toBe(body)
      expect(seen[1].headers.get("retry-after")).toBe("2")
      expect(seen[1].text).toBe("fault 429")
      expect(seen[2].text).toBe(body.slice(0, Math.floor(body.length / 2)))
      expect(() => JSON.parse(seen[2].text)).toThrow()
      expect(seen[4].text).toBe(body)
    })
  )

  it.effect(
    "without a socket, reset and truncate answer as closely as a response can; a non-200 is never spoiled",
    () =>
      Effect.gen(function* () {
        const resets = HttpApp.toWebHandler(
          FaultInjection.middleware(FaultInjection.make({ rules: [{ fault: { _tag: "Reset" } }] }), answers)(app)
        )
        const reset = yield* call(resets)
        expect(reset.status).toBe(502)
        expect(reset.headers.get("connection")).toBe("close")
        const truncates = HttpApp.toWebHandler(
          FaultInjection.middleware(FaultInjection.make({ rules: [{ fault: { _tag: "Truncate" } }] }), answers)(app)
        )
        const truncated = yield* call(truncates)
        expect(truncated.text).toBe(body.slice(0, Math.floor(body.length / 2)))
        expect(truncated.headers.get("connection")).toBe("close")
        const cutsErrors = HttpApp.toWebHandler(
          FaultInjection.middleware(FaultInjection.make({ rules: [{ fault: { _tag: "Cut" } }] }), answers)(failing)
        )
        const passed = yield* call(cutsErrors)
        expect(passed).toMatchObject({ status: 404, text: "nope" })
      })
  )
})
