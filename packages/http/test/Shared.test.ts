/**
 * What every HTTP provider shares, through the providers' public constructors: the common options and their
 * messages, the advice by error kind, the quota's name per endpoint and key, the cache's scoring options, the body
 * size boundary, and the loose reading of error and 200 bodies (FastAPI, OpenAI-style, nulls).
 */
import { Reranker, type RerankError } from "@effect-rerank/core"
import { HttpProvider, Jina, Tei, Together } from "@effect-rerank/http"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import { describe, expect, it } from "@effect/vitest"
import { Context, Duration, Effect, Either, Fiber, Layer, Redacted, TestClock } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const key = Redacted.make("sk-shared-0123456789")
const documents = ["zero", "one", "two"]

const okJina: Scripted.Answer = (body) =>
  Scripted.json(200, {
    results: body.documents.map((_: string, index: number) => ({ index, relevance_score: 1 / (index + 1) }))
  })

/** The call's outcome against `steps`, the TestClock moved past every retry. */
const outcome = <E>(layer: Layer.Layer<Reranker.Reranker, E>) =>
  Reranker.rerank({ query: "q", documents }).pipe(
    Effect.provide(layer),
    Effect.either,
    Effect.fork,
    Effect.tap(() => TestClock.adjust("10 minutes")),
    Effect.flatMap(Fiber.join)
  )

const jina = (steps: ReadonlyArray<Scripted.Step> | Scripted.Answer, options: Partial<Jina.Options> = {}) => {
  const scripted = Scripted.make(steps)
  return {
    scripted,
    layer: Jina.layer({ apiKey: key, retry: { maxRetries: 0 }, ...options }).pipe(Layer.provide(scripted.layer))
  }
}

const failure = (result: Either.Either<unknown, unknown>): RerankError.RerankError => {
  if (Either.isRight(result)) throw new Error("expected a failure")
  return result.left as RerankError.RerankError
}

describe("the options every HTTP provider takes, refused by name", () => {
  const jinaWith = (options: Record<string, unknown>) =>
    Scripted.refusal(Jina.make({ apiKey: key, ...options } as Jina.Options))

  it.effect.each([
    [{ model: "  " }, '(Invalid data at model: "must be a non-empty string, got \"  \"")'],
    [{ model: 5 }, '(Invalid data at model: "must be a non-empty string, got 5")'],
    [
      { scores: "logits" },
      '(Invalid data at scores: "must be one of \"raw\", \"probability\", \"sigmoid\", got logits")'
    ],
    [{ scores: "raw" }, "accepted"],
    [{ scores: "sigmoid" }, "accepted"],
    [{ maxRequestBytes: 0 }, '(Invalid data at maxRequestBytes: "must be an integer >= 1, got 0")'],
    [{ maxRequestBytes: 1.5 }, '(Invalid data at maxRequestBytes: "must be an integer >= 1, got 1.5")'],
    [{ maxRequestBytes: 1 }, "accepted"],
    [{ maxResponseBytes: 0 }, '(Invalid data at maxResponseBytes: "must be an integer >= 1, got 0")'],
    [{ maxResponseBytes: 1 }, "accepted"]
  ] as const)("%o: %s", ([options, expected]) =>
    Effect.gen(function* () {
      expect(yield* jinaWith(options)).toBe(expected)
    })
  )

  it.effect("a self-hosted server has no default address: TEI without a base URL is refused", () =>
    Effect.gen(function* () {
      const built = yield* Scripted.refusal(Tei.make({}))
      expect(built).toBe('(Invalid data at baseUrl: "is required: this server has no public address")')
    })
  )

  it.effect("HttpProvider.layer builds a provider's Reranker from its protocol", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make(okJina)
      const result = yield* Reranker.rerank({ query: "q", documents }).pipe(
        Effect.provide(HttpProvider.layer(Jina.protocol, { apiKey: key }).pipe(Layer.provide(scripted.layer)))
      )
      expect(result.results.map((r) => r.index)).toEqual([0, 1, 2])
      expect(scripted.calls[0].url).toBe("https://api.jina.ai/v1/rerank")
    })
  )
})

describe("the request body's size limit", () => {
  it.effect("a body of exactly maxRequestBytes is sent; one byte more is refused before sending", () =>
    Effect.gen(function* () {
      const probe = jina(okJina)
      yield* outcome(probe.layer)
      const size = Buffer.byteLength(JSON.stringify(probe.scripted.calls[0].body))
      const exact = jina(okJina, { maxRequestBytes: size })
      expect(Either.isRight(yield* outcome(exact.layer))).toBe(true)
      const under = jina(okJina, { maxRequestBytes: size - 1 })
      expect(failure(yield* outcome(under.layer))).toMatchObject({
        _tag: "PayloadLimitError",
        limit: size - 1,
        actual: size,
        unit: "bytes"
      })
      expect(under.scripted.calls.length).toBe(0)
    })
  )
})

describe("advice by error kind", () => {
  it.effect("a forbidden key (403) or a 400 gets none; a transport failure or a decode error names the endpoint", () =>
    Effect.gen(function* () {
      const endpoint = "A Jina endpoint answers POST /v1/rerank (JINA_BASE_URL)."
      const hintOf = (step: Scripted.Step) => Effect.map(outcome(jina([step]).layer), (r) => failure(r).hint)
      expect(yield* hintOf(Scripted.json(403, { detail: "forbidden" }))).toBeUndefined()
      expect(yield* hintOf(Scripted.json(400, { detail: "bad" }))).toBeUndefined()
      expect(yield* hintOf(Scripted.json(503, { detail: "busy" }))).toBeUndefined()
      expect(yield* hintOf({ transport: "ECONNREFUSED" })).toBe(endpoint)
      expect(yield* hintOf(Scripted.json(200, { results: "no" }))).toBe(endpoint)
    })
  )

  it.effect("a 2xx that is not JSON says its type, or that it has none", () =>
    Effect.gen(function* () {
      const reasonOf = (step: Scripted.Step) =>
        Effect.map(outcome(jina([step]).layer), (r) => {
          const error = failure(r)
          return error._tag === "TransportError" ? error.reason : error._tag
        })
      expect(yield* reasonOf(Scripted.text(200, "<html>"))).toBe(
        "the 200 body is not complete JSON (text/plain, 6 characters): cut off in transit, or not this API's answer"
      )
      // A stream body: the Response constructor adds no content type of its own.
      const bytes = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("<html>"))
          controller.close()
        }
      })
      expect(yield* reasonOf({ status: 200, body: bytes })).toBe(
        "the 200 body is not complete JSON (no content type, 6 characters): cut off in transit, or not this API's answer"
      )
    })
  )
})

describe("the quota's name in the store: the provider, its endpoint, and the key's hash or no-key", () => {
  it.effect("Jina with a key, TEI without one", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const memory = yield* Layer.build(RateLimiter.layerStoreMemory).pipe(
        Effect.map((context) => Context.get(context, RateLimiter.RateLimiterStore))
      )
      const store = Layer.succeed(RateLimiter.RateLimiterStore, {
        ...memory,
        tokenBucket: (options) =>
          Effect.zipRight(
            Effect.sync(() => asked.push(options.key)),
            memory.tokenBucket(options)
          )
      })
      const rateLimit = { limit: 10, window: Duration.seconds(1) }
      yield* outcome(jina(okJina, { rateLimit }).layer.pipe(Layer.provide(store)))
      const tei = Scripted.make(() => Scripted.json(200, [{ index: 0, score: 0.5 }]))
      yield* outcome(
        Tei.layer({ baseUrl: "http://127.0.0.1:8081", rateLimit }).pipe(Layer.provide(tei.layer), Layer.provide(store))
      )
      expect(asked[0]).toMatch(/^effect-rerank:jina:api\.jina\.ai:[A-Za-z0-9_-]{16}$/)
      expect(asked[0]).not.toContain("sk-shared")
      expect(asked.at(-1)).toBe("effect-rerank:tei:127.0.0.1:8081:no-key")
    }).pipe(Effect.scoped)
  )
})

describe("bodies read loosely", () => {
  it.effect("null where a field is optional is as good as absent", () =>
    Effect.gen(function* () {
      const nulls = jina([
        Scripted.json(200, {
          model: null,
          usage: null,
          results: [{ index: 1, relevance_score: 0.9, document: null }]
        })
      ])
      const result = yield* outcome(nulls.layer)
      expect(Either.isRight(result) && result.right.results.map((r) => r.index)).toEqual([1])
    })
  )

  it.effect("FastAPI's list of issues: every msg that is text, joined; nothing else", () =>
    Effect.gen(function* () {
      const detail = [{ loc: ["body", "query"], msg: "field required" }, { msg: 3 }, 5, { msg: "too long" }]
      const error = failure(yield* outcome(jina([Scripted.json(422, { detail })]).layer))
      expect(error.serverMessage).toBe("field required; too long")
      const silent = failure(yield* outcome(jina([Scripted.json(422, { detail: [{ loc: ["body"] }] })]).layer))
      expect(silent.serverMessage).toBeUndefined()
      expect(silent.message).not.toContain("Server said")
    })
  )

  it.effect("OpenAI-style bodies: the message nested or flat, the request id as id or request_id", () =>
    Effect.gen(function* () {
      const together = (body: unknown) => {
        const scripted = Scripted.make([Scripted.json(400, body)])
        return outcome(
          Together.layer({ apiKey: key, retry: { maxRetries: 0 } }).pipe(Layer.provide(scripted.layer))
        ).pipe(Effect.map(failure))
      }
      expect(yield* together({ error: { message: "nested" }, request_id: "req-7" })).toMatchObject({
        serverMessage: "nested",
        requestId: "req-7"
      })
      expect(yield* together({ message: "flat", id: "id-3", request_id: "req-8" })).toMatchObject({
        serverMessage: "flat",
        requestId: "id-3"
      })
    })
  )
})
