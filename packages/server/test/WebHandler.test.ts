/**
 * `RerankServer.makeApp` is a real `HttpApp`: as a web handler (`Request` in, `Response` out, what Bun, Deno and
 * Cloudflare Workers serve), with no Node server under it, it answers every protocol, checks the key, bounds the
 * body from the request's own stream, and answers the connection faults as responses (there is no socket to break).
 */
import { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection, RerankServer } from "@effect-rerank/server"
import { HttpApp } from "@effect/platform"
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
