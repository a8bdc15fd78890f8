import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Option, Redacted, Schedule, TestClock } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"
import { documents, query } from "../../../test-utils/Sample.js"

const key = "sk-test-4f9c2e7d1b"

const cohere = (script: Parameters<typeof Scripted.make>[0], options: Partial<Cohere.Options> = {}) => {
  const client = Scripted.make(script)
  const layer = Cohere.layer({ apiKey: Redacted.make(key), ...options }).pipe(Layer.provide(client.layer))
  return { ...client, layer }
}

/** Runs a rerank in a fiber and moves the TestClock far enough for every retry, then returns its exit. */
const runToEnd = <A>(layer: Layer.Layer<Reranker.Reranker, unknown>, request: Reranker.WindowRequest | any) =>
  Effect.gen(function* () {
    const fiber = yield* Reranker.rerank<A>(request).pipe(Effect.provide(layer), Effect.fork)
    yield* TestClock.adjust(Duration.minutes(10))
    return yield* Fiber.await(fiber)
  })

const failureOf = <A>(exit: Exit.Exit<A, unknown>): any => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got success")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return failure
}

const failureOrResult = <A>(exit: Exit.Exit<A, unknown>) => (Exit.isSuccess(exit) ? exit.value : failureOf(exit))

const cohereError = (status: number, message = "something went wrong", id = "err-42") =>
  Scripted.json(status, { id, message })

describe("Cohere: the known scenario", () => {
  // A compatible server that scores by overlap with "capital ... United States" and answers in input order.
  const scores = [0.12, 0.03, 0.01, 0.98, 0.41]
  const inputOrder: Scripted.Answer = (body) =>
    Scripted.json(200, {
      id: "a1",
      results: (body.documents as Array<string>).map((_, index) => ({ index, relevance_score: scores[index] })),
      meta: { api_version: { version: "2" }, billed_units: { search_units: 1 } }
    })

  it.effect("five candidates come back best first, scores in [0, 1], indices mapping to the caller's documents", () =>
    Effect.gen(function* () {
      const { layer } = cohere(inputOrder)
      const result = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
      expect(result.results.map((r) => r.index)).toEqual([3, 4, 0, 1, 2])
      expect(result.results.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5])
      for (const r of result.results) {
        expect(r.score).toBeGreaterThanOrEqual(0)
        expect(r.score).toBeLessThanOrEqual(1)
        expect(r.document).toBe(documents[r.index])
      }
      expect(result.results[0].document).toContain("Washington, D.C.")
      expect(result.model).toBe("rerank-v3.5")
      // One search unit, reported; at Rerank 3.5's default price of $2 per 1,000.
      expect(result.usage).toEqual({
        searchUnits: 1,
        requests: 1,
        billed: { unit: "searchUnits", quantity: 1, source: "reported" },
        cost: 0.002
      })
    })
  )

  it.effect("topN: 3 keeps three, sends top_n, and minScore drops low scores", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere(inputOrder)
      const top = yield* Reranker.rerank({ query, documents, topN: 3 }).pipe(Effect.provide(layer))
      expect(top.results.map((r) => r.index)).toEqual([3, 4, 0])
      expect(calls[0].body.top_n).toBe(3)
      const confident = yield* Reranker.rerank({ query, documents, minScore: 0.4 }).pipe(Effect.provide(layer))
      expect(confident.results.map((r) => r.index)).toEqual([3, 4])
    })
  )

  it.effect("objects with toText come back as the caller's own objects", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere(inputOrder)
      const objects = documents.map((text, id) => Object.freeze({ id, text }))
      const result = yield* Reranker.rerank({ query, documents: objects, toText: (d) => d.text }).pipe(
        Effect.provide(layer)
      )
      expect(calls[0].body.documents).toEqual(documents)
      expect(result.results[0].document).toBe(objects[3])
    })
  )
})

describe("Cohere: status codes map to typed errors", () => {
  const cases: ReadonlyArray<readonly [string, Scripted.Step, string, Record<string, unknown>, number]> = [
    ["400", cohereError(400, "invalid request: query must not be empty"), "InvalidRequestError", { status: 400 }, 1],
    [
      "401",
      cohereError(401, "invalid api token"),
      "AuthenticationError",
      { reason: "invalid-key", status: 401, hint: "Cohere reads the key from COHERE_API_KEY (or CO_API_KEY)." },
      1
    ],
    ["402", cohereError(402, "please add a payment method"), "AuthenticationError", { reason: "billing" }, 1],
    ["403", cohereError(403, "forbidden"), "AuthenticationError", { reason: "forbidden", status: 403 }, 1],
    [
      "404",
      cohereError(404, "model 'nope' not found"),
      "InvalidRequestError",
      {
        status: 404,
        hint: "A Cohere-compatible endpoint answers POST /v2/rerank or /v1/rerank (COHERE_BASE_URL)."
      },
      1
    ],
    ["422", cohereError(422, "unprocessable"), "InvalidRequestError", { status: 422 }, 1],
    ["498", cohereError(498, "invalid token"), "InvalidRequestError", { status: 498 }, 1],
    ["499", cohereError(499, "request cancelled"), "ServiceError", { status: 499 }, 1],
    ["500", cohereError(500), "ServiceError", { status: 500 }, 4],
    ["501", cohereError(501, "not implemented"), "ServiceError", { status: 501 }, 1],
    ["502", Scripted.text(502, "<html>Bad Gateway</html>"), "ServiceError", { status: 502 }, 4],
    ["503", cohereError(503, "overloaded"), "ServiceError", { status: 503 }, 4],
    ["504", Scripted.text(504, "upstream timed out"), "ServiceError", { status: 504 }, 4],
    ["429 without Retry-After", cohereError(429, "too many requests"), "RateLimitError", { status: 429 }, 4],
    ["a refused connection", { transport: "ECONNREFUSED" }, "TransportError", {}, 4],
    // Cut off in transit or not an API answer: transient, retried (issue 8).
    ["a non-JSON 200", Scripted.text(200, "<html>welcome to nginx</html>"), "TransportError", { status: 200 }, 4],
    ["a 200 whose JSON is cut off", Scripted.text(200, '{"results":[{"index":0,"relev'), "TransportError", {}, 4],
    [
      "a 301 redirect",
      Scripted.text(301, "", { location: "https://elsewhere.example/v2/rerank" }),
      "InvalidRequestError",
      { status: 301 },
      1
    ],
    [
      "a 307 redirect",
      Scripted.text(307, "", { location: "https://elsewhere.example/v2/rerank" }),
      "InvalidRequestError",
      { status: 307 },
      1
    ],
    ["a 409", cohereError(409, "conflict"), "InvalidRequestError", { status: 409 }, 1],
    ["a 418", cohereError(418, "teapot"), "InvalidRequestError", { status: 418 }, 1],
    ["a 200 of the wrong shape", Scripted.json(200, { results: "nope" }), "ResponseDecodeError", { status: 200 }, 1],
    [
      "an out-of-range index",
      Scripted.json(200, { results: [{ index: 5, relevance_score: 0.5 }] }),
      "ResponseDecodeError",
      {},
      1
    ],
    [
      "a repeated index",
      Scripted.json(200, {
        results: [
          { index: 1, relevance_score: 0.5 },
          { index: 1, relevance_score: 0.4 }
        ]
      }),
      "ResponseDecodeError",
      {},
      1
    ]
  ]

  for (const [name, step, tag, fields, attempts] of cases) {
    it.effect(`${name} -> ${tag} after ${attempts} attempt(s)`, () =>
      Effect.gen(function* () {
        const { calls, layer } = cohere([step])
        const error = failureOf(yield* runToEnd(layer, { query, documents }))
        expect(error._tag).toBe(tag)
        expect(error).toMatchObject(fields)
        expect(error.attempts).toBe(attempts)
        expect(calls.length).toBe(attempts)
      })
    )
  }

  it.effect("a JSON error body gives the server's message and request id", () =>
    Effect.gen(function* () {
      const { layer } = cohere([cohereError(404, "model 'rerank-nope' not found", "0b1c")])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ serverMessage: "model 'rerank-nope' not found", requestId: "0b1c", status: 404 })
      expect(error.message).toContain("model 'rerank-nope' not found")
    })
  )

  it.effect(
    "an error body whose fields have the wrong types is not trusted: no message, no id, the status stands",
    () =>
      Effect.gen(function* () {
        const { layer } = cohere([Scripted.json(404, { id: ["x"], message: { nested: "not text" } })])
        const error = failureOf(yield* runToEnd(layer, { query, documents }))
        expect(error).toMatchObject({ _tag: "InvalidRequestError", status: 404 })
        expect(error.serverMessage).toBeUndefined()
        expect(error.requestId).toBeUndefined()
      })
  )

  it.effect("a plain-text error body is the server message, cut short; x-debug-trace-id is the request id", () =>
    Effect.gen(function* () {
      const { layer } = cohere([Scripted.text(502, "Bad Gateway ".repeat(100), { "x-debug-trace-id": "trace-9" })])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.serverMessage.startsWith("Bad Gateway Bad Gateway")).toBe(true)
      expect(error.serverMessage.length).toBeLessThanOrEqual(300)
      expect(error.requestId).toBe("trace-9")
    })
  )

  it.effect("Cohere's chunk limit is a PayloadLimitError in chunks", () =>
    Effect.gen(function* () {
      const message =
        "invalid request: number of total max chunks (number of documents * max_chunks_per_doc) must be less than 10000"
      const { layer } = cohere([cohereError(400, message)], { apiVersion: "v1", maxChunksPerDoc: 5000 })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({
        _tag: "PayloadLimitError",
        unit: "chunks",
        limit: 10000,
        actual: 25000,
        attempts: 1
      })
    })
  )

  it.effect("the chunk limit's stated figure is taken; v2 counts one chunk a document", () =>
    Effect.gen(function* () {
      const message = "invalid request: number of total max chunks must be less than 4096"
      const { layer } = cohere([cohereError(400, message)])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "PayloadLimitError", unit: "chunks", limit: 4096, actual: documents.length })
    })
  )

  it.effect("only a 400 that speaks of chunks is a chunk limit", () =>
    Effect.gen(function* () {
      const other = failureOf(
        yield* runToEnd(cohere([cohereError(422, "too many max chunks")]).layer, { query, documents })
      )
      expect(other).toMatchObject({ _tag: "InvalidRequestError", status: 422 })
      const plain = failureOf(yield* runToEnd(cohere([Scripted.json(400, {})]).layer, { query, documents }))
      expect(plain).toMatchObject({ _tag: "InvalidRequestError", status: 400 })
    })
  )

  it.effect("a body over maxRequestBytes fails before any request", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([Scripted.json(200, { results: [] })], { maxRequestBytes: 200 })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "PayloadLimitError", unit: "bytes", limit: 200, attempts: 0 })
      expect(error.actual).toBeGreaterThan(200)
      expect(calls.length).toBe(0)
    })
  )

  it.effect("a 413 from the server is a PayloadLimitError in bytes", () =>
    Effect.gen(function* () {
      const { layer } = cohere([cohereError(413, "request body too large: limit is 1048576 bytes")])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "PayloadLimitError", unit: "bytes", limit: 1048576, status: 413 })
    })
  )
})

describe("Cohere: retries", () => {
  const ok = Scripted.scoredBy((_, i) => 1 - i / 10)

  it.effect("backs off exponentially with +-20% jitter: 1 s, 2 s, 4 s", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([cohereError(503)])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.attempts).toBe(4)
      const delays = calls.slice(1).map((call, i) => call.at - calls[i].at)
      ;[1000, 2000, 4000].forEach((expected, i) => {
        expect(delays[i]).toBeGreaterThanOrEqual(expected * 0.8)
        expect(delays[i]).toBeLessThanOrEqual(expected * 1.2)
      })
    })
  )

  it.effect("no retry happens before the earliest jittered delay", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere((body, n) => (n === 0 ? cohereError(503) : ok(body, n)))
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.millis(799))
      expect(calls.length).toBe(1)
      yield* TestClock.adjust(Duration.millis(402))
      expect(calls.length).toBe(2)
      const result = yield* Fiber.join(fiber)
      expect(result.results.length).toBe(5)
    })
  )

  it.effect("caps the delay", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([cohereError(500)], {
        retry: { maxRetries: 4, base: "10 seconds", cap: "15 seconds" }
      })
      failureOf(yield* runToEnd(layer, { query, documents }))
      const delays = calls.slice(1).map((call, i) => call.at - calls[i].at)
      expect(delays.length).toBe(4)
      expect(delays[0]).toBeGreaterThanOrEqual(8000)
      // Clock times are fractional milliseconds under jitter: compare with a float tolerance.
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(15000 + 1e-6)
      expect(delays[3]).toBeCloseTo(15000, 6)
    })
  )

  it.effect.each([
    ["Retry-After in seconds", (_now: number) => ({ "retry-after": "7" }), 7000],
    ["Retry-After as an HTTP date", (now: number) => ({ "retry-after": new Date(now + 9000).toUTCString() }), 9000],
    ["X-RateLimit-Reset in seconds", (_now: number) => ({ "x-ratelimit-reset": "5" }), 5000]
  ] as const)("honours %s instead of the computed delay", ([, headers, expected]) =>
    Effect.gen(function* () {
      // The first request happens at TestClock time 0, so the date form is relative to 0.
      const { calls, layer } = cohere((body, n) =>
        n === 0 ? Scripted.json(429, { message: "slow down" }, headers(0)) : ok(body, n)
      )
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.millis(expected - 1))
      expect(calls.length).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      const result = yield* Fiber.join(fiber)
      expect(calls.length).toBe(2)
      expect(calls[1].at - calls[0].at).toBe(expected)
      expect(result.results[0].index).toBe(0)
    })
  )

  // A clock far from 0, so a date read as "date + now" instead of "date - now" cannot pass.
  const start = Date.UTC(2026, 10, 26, 12, 0, 0)

  it.effect.each([
    ["an IMF-fixdate", "Thu, 26 Nov 2026 12:00:09 GMT", 9000],
    ["an RFC 850 date", "Thursday, 26-Nov-26 12:00:06 GMT", 6000],
    ["an asctime date", "Thu Nov 26 12:00:04 2026", 4000]
  ] as const)("Retry-After as %s is honoured relative to now", ([, value, expected]) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const { calls, layer } = cohere((body, n) =>
        n === 0 ? Scripted.json(429, { message: "slow down" }, { "retry-after": value }) : ok(body, n)
      )
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.millis(expected - 1))
      expect(calls.length).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      yield* Fiber.join(fiber)
      expect(calls[1].at - calls[0].at).toBe(expected)
    })
  )

  it.effect("X-RateLimit-Reset as epoch seconds is a delay from now", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const reset = String(start / 1000 + 12)
      const { calls, layer } = cohere((body, n) =>
        n === 0 ? Scripted.json(429, { message: "slow down" }, { "x-ratelimit-reset": reset }) : ok(body, n)
      )
      failureOrResult(yield* runToEnd(layer, { query, documents }))
      expect(calls[1].at - calls[0].at).toBe(12_000)
    })
  )

  it.effect.each(["+5", "-5", "-1", "in 5", "5.5", "soon", "Thu, 26 Nov 2026 12:00:09"])(
    "Retry-After %j is not RFC 9110: ignored, the computed backoff applies",
    (value) =>
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        const { calls, layer } = cohere([Scripted.json(429, { message: "slow down" }, { "retry-after": value })], {
          retry: { maxRetries: 1 }
        })
        const error = failureOf(yield* runToEnd(layer, { query, documents }))
        expect(error.retryAfter).toEqual(Option.none())
        const delay = calls[1].at - calls[0].at
        expect(delay).toBeGreaterThanOrEqual(800)
        expect(delay).toBeLessThanOrEqual(1200)
      })
  )

  it.effect("a Retry-After longer than the cap ends the call with RateLimitError.retryAfter", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([Scripted.json(429, { message: "trial key limit" }, { "retry-after": "120" })])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error._tag).toBe("RateLimitError")
      expect(error.retryAfter).toEqual(Option.some(Duration.seconds(120)))
      expect(error.attempts).toBe(1)
      expect(calls.length).toBe(1)
      expect(error.message).toContain("2m")
    })
  )

  it.effect("429 without Retry-After has retryAfter none", () =>
    Effect.gen(function* () {
      const { layer } = cohere([cohereError(429)], { retry: { maxRetries: 0 } })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.retryAfter).toEqual(Option.none())
    })
  )

  it.effect("recovers when a retry succeeds, counting attempts", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere((body, n) => (n < 2 ? { transport: "ECONNRESET" } : ok(body, n)))
      const exit = yield* runToEnd(layer, { query, documents })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(calls.length).toBe(3)
    })
  )

  it.effect("a hanging attempt times out per attempt (default 60 s) and is retried", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([{ hang: true }])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt", attempts: 4 })
      expect(Duration.toMillis(error.timeout)).toBe(60_000)
      expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(60_000 + 800)
    })
  )

  it.effect("totalTimeout bounds the whole call and is not retried", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([{ hang: true }], { timeout: "2 seconds", totalTimeout: "5 seconds" })
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.seconds(5))
      const error = failureOf(yield* Fiber.await(fiber))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      expect(Duration.toMillis(error.timeout)).toBe(5000)
      expect(error.attempts).toBe(calls.length)
      expect(calls.length).toBe(2)
    })
  )

  it.effect("a user Schedule replaces the policy wholesale", () =>
    Effect.gen(function* () {
      // The default policy never retries a 400; this schedule retries anything twice, 1 s apart.
      const { calls, layer } = cohere([cohereError(400)], {
        retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2)))
      })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "InvalidRequestError", attempts: 3 })
      expect(calls.map((c) => c.at)).toEqual([0, 1000, 2000])
    })
  )

  it.effect("maxRetries: 0 disables retries", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([cohereError(503)], { retry: { maxRetries: 0 } })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.attempts).toBe(1)
      expect(calls.length).toBe(1)
    })
  )
})

describe("Cohere: usage and cost", () => {
  it.effect("without meta.billed_units, a search unit per 100 documents by Cohere's rule, marked computed", () =>
    Effect.gen(function* () {
      const many = Array.from({ length: 250 }, (_, i) => `passage ${i}`)
      const { layer } = cohere((body) =>
        Scripted.json(200, {
          id: "x",
          results: body.documents.map((_: unknown, index: number) => ({ index, relevance_score: 1 - index / 1000 }))
        })
      )
      const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer))
      expect(result.usage.billed).toEqual({ unit: "searchUnits", quantity: 3, source: "computed" })
      expect(result.usage.cost).toBe(0.006)
    })
  )

  it.effect("the caller's prices come before the defaults; a model without a default has no cost", () =>
    Effect.gen(function* () {
      const reported = Scripted.json(200, {
        id: "x",
        results: [{ index: 0, relevance_score: 0.5 }],
        meta: { billed_units: { search_units: 1 } }
      })
      const custom = cohere([reported], { prices: { "rerank-v3.5": { unit: "searchUnits", usd: 1, per: 1 } } })
      const priced = yield* Reranker.rerank({ query, documents: ["a"] }).pipe(Effect.provide(custom.layer))
      expect(priced.usage.cost).toBe(1)
      const plain = cohere([reported], { model: "rerank-english-v3.0" })
      const unpriced = yield* Reranker.rerank({ query, documents: ["a"] }).pipe(Effect.provide(plain.layer))
      expect(unpriced.usage).toEqual({
        searchUnits: 1,
        requests: 1,
        billed: { unit: "searchUnits", quantity: 1, source: "reported" }
      })
    })
  )
})

describe("Cohere: batching", () => {
  const many = Array.from({ length: 2500 }, (_, i) => `passage ${i}`)
  const byNumber = Scripted.scoredBy((document) => (Number(document.split(" ")[1]) % 97) / 97)

  it.effect("2,500 documents go out as 3 requests of at most 1,000, within `concurrency`, and come back complete", () =>
    Effect.gen(function* () {
      const { calls, stats, layer } = cohere(byNumber, { concurrency: 2 })
      const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer))
      expect(calls.map((c) => c.body.documents.length)).toEqual([834, 833, 833])
      expect(stats.maxInFlight).toBe(2)
      expect(result.results.length).toBe(2500)
      expect(new Set(result.results.map((r) => r.index)).size).toBe(2500)
      expect(result.usage).toEqual({
        searchUnits: 27,
        requests: 3,
        billed: { unit: "searchUnits", quantity: 27, source: "reported" },
        cost: 0.054
      })
      for (const r of result.results) expect(r.document).toBe(many[r.index])
    })
  )

  it.effect("a window answering 429 then 200 is retried alone", () =>
    Effect.gen(function* () {
      let limited = false
      const { calls, layer } = cohere((body, n) => {
        if (body.documents[0] === "passage 834" && !limited) {
          limited = true
          return Scripted.json(429, { message: "slow down" }, { "retry-after": "3" })
        }
        return byNumber(body, n)
      })
      const fiber = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer), Effect.fork)
      yield* TestClock.adjust(Duration.seconds(3))
      const result = yield* Fiber.join(fiber)
      expect(calls.map((c) => c.body.documents[0])).toEqual(["passage 0", "passage 834", "passage 1667", "passage 834"])
      expect(result.results.length).toBe(2500)
      expect(result.usage.requests).toBe(3)
    })
  )

  it.effect("a window failing for good fails the call with that window's error", () =>
    Effect.gen(function* () {
      const { layer } = cohere((body, n) =>
        body.documents[0] === "passage 1667" ? cohereError(401, "invalid api token") : byNumber(body, n)
      )
      const error = failureOf(yield* runToEnd(layer, { query, documents: many }))
      expect(error).toMatchObject({ _tag: "AuthenticationError", reason: "invalid-key", attempts: 1 })
    })
  )
})

describe("Cohere: redirects are not followed", () => {
  it.effect("a 3xx names the target host and is not retried; the key is never sent there", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([Scripted.text(302, "", { location: "https://attacker.example:8443/steal" })])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "InvalidRequestError", status: 302, attempts: 1 })
      expect(error.reason).toContain("attacker.example:8443")
      expect(error.reason).toContain("redirects are not followed")
      expect(calls.map((c) => c.url)).toEqual(["https://api.cohere.com/v2/rerank"])
    })
  )
})

describe("Cohere: the response body is read within a cap", () => {
  it.effect("a 2xx declaring more than maxResponseBytes fails without reading, not retried", () =>
    Effect.gen(function* () {
      const big = JSON.stringify({
        results: Array.from({ length: 200 }, (_, index) => ({ index, relevance_score: 0.5 }))
      })
      const declared = Scripted.text(200, big, {
        "content-type": "application/json",
        "content-length": String(big.length)
      })
      const { calls, layer } = cohere([declared], { maxResponseBytes: 1000 })
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", status: 200, attempts: 1 })
      expect(error.reason).toContain(`declared as ${big.length} bytes, over the 1000-byte cap`)
      expect(calls.length).toBe(1)
    })
  )

  it.effect("a 2xx streamed without a length is cut off at the cap", () =>
    Effect.gen(function* () {
      let pulled = 0
      const endless = new ReadableStream<Uint8Array>({
        pull: (controller) => {
          pulled++
          controller.enqueue(new TextEncoder().encode('{"results":['.padEnd(4096, " ")))
        }
      })
      const { calls, layer } = cohere(
        [{ status: 200, body: endless, headers: { "content-type": "application/json" } }],
        {
          maxResponseBytes: 64 * 1024
        }
      )
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", attempts: 1 })
      expect(error.reason).toContain("65536-byte cap")
      // 16 chunks fill the cap; the stream is not drained past it.
      expect(pulled).toBeLessThanOrEqual(20)
      expect(calls.length).toBe(1)
    })
  )
})

describe("Cohere: decode errors say where, never what", () => {
  it.effect("a wrong shape names the path and quotes no value", () =>
    Effect.gen(function* () {
      const { layer } = cohere([
        Scripted.json(200, { results: [{ index: 0, relevance_score: "a document text that must not leak" }] })
      ])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.reason).toBe("the body is not a rerank response: results.0.relevance_score has the wrong type")
      expect(error.message).not.toContain("must not leak")
    })
  )

  it.effect("a missing field is named", () =>
    Effect.gen(function* () {
      const { layer } = cohere([Scripted.json(200, { id: "x" })])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.reason).toBe("the body is not a rerank response: results is missing")
    })
  )

  it.effect("a JSON body that is not an object is named as the top level", () =>
    Effect.gen(function* () {
      const { layer } = cohere([Scripted.json(200, ["a document text that must not leak"])])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.reason).toBe("the body is not a rerank response: the top level has the wrong type")
    })
  )

  it.effect("a non-JSON body is described by type and size only, and retried as transient", () =>
    Effect.gen(function* () {
      const { calls, layer } = cohere([Scripted.text(200, "<html>secret page</html>")])
      const error = failureOf(yield* runToEnd(layer, { query, documents }))
      expect(error.reason).toBe(
        "the 200 body is not complete JSON (text/plain, 24 characters): cut off in transit, or not this API's answer"
      )
      expect(error.message).not.toContain("secret page")
      expect(calls.length).toBe(4)
    })
  )

  it.effect("a cut body followed by a good one succeeds on the retry", () =>
    Effect.gen(function* () {
      const ok = Scripted.scoredBy((_, i) => 1 - i / 10)
      const { calls, layer } = cohere((body, n) => (n === 0 ? Scripted.text(200, '{"results":[{"ind') : ok(body, n)))
      const exit = yield* runToEnd(layer, { query, documents })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(calls.length).toBe(2)
    })
  )
})

describe("Cohere: fields", () => {
  const items = [
    { sku: "a1", title: "Red apple", meta: { brand: "Orchard", tags: ["fresh", "red"] } },
    { sku: "b2", title: "Pear: green", meta: { brand: "Apple Farms" } }
  ]
  const answer = Scripted.json(200, {
    id: "x",
    results: [
      { index: 1, relevance_score: 0.9 },
      { index: 0, relevance_score: 0.2 }
    ]
  })

  it.effect("v2: each document's fields as YAML (Cohere's advice for semi-structured data); v1: rank_fields", () =>
    Effect.gen(function* () {
      const v2 = cohere([answer])
      const result = yield* Reranker.rerank({
        query,
        documents: items,
        fields: ["title", "meta.brand", "meta.tags"]
      }).pipe(Effect.provide(v2.layer))
      expect(v2.calls[0].body.documents).toEqual([
        "title: Red apple\nmeta.brand: Orchard\nmeta.tags:\n  - fresh\n  - red",
        'title: "Pear: green"\nmeta.brand: Apple Farms'
      ])
      expect(result.results.map((r) => r.document)).toEqual([items[1], items[0]])
      const v1 = cohere([answer], { apiVersion: "v1" })
      yield* Reranker.rerank({ query, documents: items, fields: ["title"] }).pipe(Effect.provide(v1.layer))
      expect(v1.calls[0].body).toMatchObject({
        documents: [{ title: "Red apple" }, { title: "Pear: green" }],
        rank_fields: ["title"]
      })
    })
  )
})
