/**
 * The docs' own-provider example does what docs/providers.md says it does: batched at its own limit, scores merged
 * across windows, a 429 retried after its Retry-After, the error body read, the key from ACME_API_KEY.
 */
import { Reranker } from "@effect-rerank/core"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { Acme } from "./own-provider.js"

const scripted = (answer: (body: { query: string; texts: Array<string> }, call: number) => Response) => {
  const calls: Array<{ url: string; body: { query: string; texts: Array<string> }; authorization?: string }> = []
  const client = HttpClient.make((request, url) => {
    const body = JSON.parse(request.body._tag === "Raw" ? (request.body.body as string) : "{}")
    calls.push({ url: url.toString(), body, authorization: request.headers.authorization })
    return Effect.succeed(HttpClientResponse.fromWeb(request, answer(body, calls.length)))
  })
  return { calls, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

describe("docs/examples/own-provider.ts", () => {
  it.effect(
    "150 texts go out in 3 requests of at most 64, come back merged by score, 429 retried after Retry-After",
    () =>
      Effect.gen(function* () {
        const texts = Array.from({ length: 150 }, (_, i) => `text ${i}`)
        const server = scripted((body, call) =>
          call === 1
            ? json(429, { error: "slow down" }, { "retry-after": "7" })
            : json(200, { scores: body.texts.map((t) => Number(t.split(" ")[1]) / 1000) })
        )
        const fiber = yield* Reranker.rerank({ query: "q", documents: texts, topN: 3 }).pipe(
          Effect.provide(Acme.layer({ apiKey: Redacted.make("acme-key") }).pipe(Layer.provide(server.layer))),
          Effect.fork
        )
        yield* TestClock.adjust("6 seconds")
        expect(server.calls.length).toBeLessThan(4)
        yield* TestClock.adjust("2 seconds")
        const result = yield* Fiber.join(fiber)
        expect(result.results.map((r) => r.index)).toEqual([149, 148, 147])
        expect(result.model).toBe("acme-rank-1")
        expect(server.calls.length).toBe(4)
        expect(server.calls.every((c) => c.body.texts.length <= 64)).toBe(true)
        expect(server.calls[0].url).toBe("https://rerank.acme.example/score")
        expect(server.calls[0].authorization).toBe("Bearer acme-key")
      })
  )

  it.effect("layerConfig reads ACME_API_KEY; its absence is a ConfigError naming it", () =>
    Effect.gen(function* () {
      const server = scripted(() => json(400, { error: "texts must not be empty" }))
      const error = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(Acme.layerConfig().pipe(Layer.provide(server.layer))),
        Effect.withConfigProvider(ConfigProvider.fromJson({ ACME_API_KEY: "from-env" })),
        Effect.flip
      )
      expect(error._tag).toBe("InvalidRequestError")
      expect("serverMessage" in error && error.serverMessage).toBe("texts must not be empty")
      expect(server.calls[0].authorization).toBe("Bearer from-env")
      const missing = yield* Layer.build(Acme.layerConfig().pipe(Layer.provide(server.layer))).pipe(
        Effect.scoped,
        Effect.withConfigProvider(ConfigProvider.fromJson({})),
        Effect.flip
      )
      expect(String(missing)).toContain("ACME_API_KEY")
    })
  )
})
