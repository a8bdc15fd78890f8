/**
 * The status table's and the transport's edges, exactly: the reason each status gets, 3xx boundaries, a 413's unit,
 * what the server said (collapsed, cut, scrubbed), Retry-After read as delta-seconds only, transport reasons from
 * the cause chain, and the body cap at its boundary.
 */
import { Reranker, type RerankError } from "@effect-rerank/core"
import { Cohere, Tei } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { HttpClient, HttpClientError } from "@effect/platform"
import { Duration, Effect, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const documents = ["a", "b", "c"]

const failWith = (
  step: Scripted.Step,
  options: Partial<Cohere.Options> = {}
): Effect.Effect<RerankError.RerankError> => {
  const scripted = Scripted.make([step])
  return Reranker.rerank({ query: "q", documents }).pipe(
    Effect.provide(
      Cohere.layer({ apiKey: Redacted.make("edge-key"), retry: { maxRetries: 0 }, ...options }).pipe(
        Layer.provide(scripted.layer),
        Layer.orDie
      )
    ),
    Effect.flip,
    Effect.orDieWith(() => new Error("the call succeeded"))
  )
}

describe("each status's reason", () => {
  for (const [status, reason] of [
    [400, "the server rejected the request (400)"],
    [404, "not found (404): check the model name and the base URL"],
    [422, "the server could not process the request (422)"],
    [498, "invalid token (498)"],
    [409, "unexpected status 409"],
    [418, "unexpected status 418"]
  ] as const) {
    it.effect(`${status}: InvalidRequestError "${reason}"`, () =>
      Effect.gen(function* () {
        const error = yield* failWith(Scripted.json(status, { message: "no" }))
        expect(error._tag).toBe("InvalidRequestError")
        if (error._tag === "InvalidRequestError") expect(error.reason).toBe(reason)
        expect(error.status).toBe(status)
      })
    )
  }

  it.effect("3xx from 300 to 399 are redirects refused, naming the target host (or saying there was none)", () =>
    Effect.gen(function* () {
      for (const status of [300, 399]) {
        const error = yield* failWith({ status, headers: { location: "https://elsewhere.example/v2/rerank" } })
        expect(error._tag === "InvalidRequestError" && error.reason).toContain(
          `redirected (${status}) to elsewhere.example`
        )
      }
      const nowhere = yield* failWith({ status: 302 })
      expect(nowhere._tag === "InvalidRequestError" && nowhere.reason).toContain("to an address it did not name")
      const broken = yield* failWith({ status: 302, headers: { location: "http://[not-a-host" } })
      expect(broken._tag === "InvalidRequestError" && broken.reason).toContain("to an address that is not a URL;")
      const hostless = yield* failWith({ status: 302, headers: { location: "file:///etc/passwd" } })
      expect(hostless._tag === "InvalidRequestError" && hostless.reason).toContain("to another address;")
    })
  )

  it.effect("a 413 names its unit: documents and chunks count what was sent, bytes the body", () =>
    Effect.gen(function* () {
      const docs = yield* failWith(Scripted.json(413, { message: "too many: limit is 2 documents" }))
      expect(docs._tag === "PayloadLimitError" && [docs.limit, docs.actual, docs.unit]).toEqual([2, 3, "documents"])
      const chunks = yield* failWith(Scripted.json(413, { message: "limit is 20 chunks" }), {
        apiVersion: "v1",
        maxChunksPerDoc: 10
      })
      expect(chunks._tag === "PayloadLimitError" && [chunks.limit, chunks.actual, chunks.unit]).toEqual([
        20,
        30,
        "chunks"
      ])
      // The unit may follow the figure without a space; documents count documents even where each is 10 chunks.
      const packed = yield* failWith(Scripted.json(413, { message: "max 2documents" }), {
        apiVersion: "v1",
        maxChunksPerDoc: 10
      })
      expect(packed._tag === "PayloadLimitError" && [packed.limit, packed.actual, packed.unit]).toEqual([
        2,
        3,
        "documents"
      ])
      const bytes = yield* failWith(Scripted.json(413, { message: "limit is 10 bytes" }))
      expect(bytes._tag === "PayloadLimitError" && bytes.unit).toBe("bytes")
      expect(bytes._tag === "PayloadLimitError" && bytes.actual).toBeGreaterThan(10)
    })
  )
})

describe("what the server said", () => {
  it.effect("collapsed to one line, cut to 300 characters, absent when blank or when a JSON body has no message", () =>
    Effect.gen(function* () {
      const spaced = yield* failWith(Scripted.text(500, "  line one\n\tline\u0007 two  "))
      expect(spaced.serverMessage).toBe("line one line two")
      const long = yield* failWith(Scripted.text(500, "x".repeat(400)))
      expect(long.serverMessage).toBe("x".repeat(299) + "…")
      const exact = yield* failWith(Scripted.text(500, "y".repeat(300)))
      expect(exact.serverMessage).toBe("y".repeat(300))
      const blank = yield* failWith(Scripted.text(500, " \n "))
      expect(blank.serverMessage).toBeUndefined()
      const noMessage = yield* failWith(Scripted.json(500, { code: "E42" }))
      expect(noMessage.serverMessage).toBeUndefined()
    })
  )

  it.effect("without a key (a self-hosted server), the message is kept as is", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make([Scripted.json(500, { error: "boom", error_type: "Backend" })])
      const error = yield* Reranker.rerank({ query: "q", documents }).pipe(
        Effect.provide(
          Tei.layer({ baseUrl: "http://127.0.0.1:1", retry: { maxRetries: 0 } }).pipe(
            Layer.provide(scripted.layer),
            Layer.orDie
          )
        ),
        Effect.flip
      )
      expect(error.serverMessage).toBe("boom")
    })
  )
})

describe("Retry-After", () => {
  it.effect("a large number in Retry-After is delta-seconds, not a date: past the cap, the call stops with it", () =>
    Effect.gen(function* () {
      const error = yield* failWith(Scripted.json(429, { message: "later" }, { "retry-after": "2000000000" }), {
        retry: { maxRetries: 3 }
      })
      expect(error._tag).toBe("RateLimitError")
      if (error._tag === "RateLimitError") {
        expect(Option.map(error.retryAfter, Duration.toSeconds)).toEqual(Option.some(2_000_000_000))
      }
      expect(error.attempts).toBe(1)
    })
  )
})

describe("Retry-After and X-RateLimit-Reset away from the epoch", () => {
  const now = 1_700_000_000_000
  const retryAfterOf = (headers: Record<string, string>) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const error = yield* failWith(Scripted.json(429, { message: "later" }, headers))
      return error._tag === "RateLimitError" ? Option.map(error.retryAfter, Duration.toSeconds) : error._tag
    })

  it.effect("Retry-After is delta-seconds whatever the clock says, however large", () =>
    Effect.gen(function* () {
      expect(yield* retryAfterOf({ "retry-after": "7" })).toEqual(Option.some(7))
      expect(yield* retryAfterOf({ "retry-after": "2000000000" })).toEqual(Option.some(2_000_000_000))
    })
  )

  it.effect("X-RateLimit-Reset up to 10^9 is delta-seconds; past it, epoch seconds counted from now", () =>
    Effect.gen(function* () {
      expect(yield* retryAfterOf({ "x-ratelimit-reset": "30" })).toEqual(Option.some(30))
      expect(yield* retryAfterOf({ "x-ratelimit-reset": "1000000000" })).toEqual(Option.some(1_000_000_000))
      expect(yield* retryAfterOf({ "x-ratelimit-reset": String(now / 1000 + 45) })).toEqual(Option.some(45))
    })
  )
})

describe("transport failures", () => {
  it.effect("the reason walks the cause chain: the request's reason, then each cause's code or message", () =>
    Effect.gen(function* () {
      const error = yield* failWith({ transport: "ECONNREFUSED" })
      expect(error._tag === "TransportError" && error.reason).toBe("Transport: fetch failed: ECONNREFUSED")
    })
  )

  it.effect("three causes deep at most, blank messages left out", () =>
    Effect.gen(function* () {
      const deepest = new Error("a fourth cause, never shown")
      const reset = Object.assign(new Error("read ECONNRESET", { cause: deepest }), { code: "ECONNRESET" })
      const chain = new Error("socket hang up", { cause: new Error("", { cause: reset }) })
      const failing = HttpClient.make((request) =>
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: chain }))
      )
      const error = yield* Reranker.rerank({ query: "q", documents }).pipe(
        Effect.provide(
          Cohere.layer({ apiKey: Redacted.make("k"), retry: { maxRetries: 0 } }).pipe(
            Layer.provide(Layer.succeed(HttpClient.HttpClient, failing)),
            Layer.orDie
          )
        ),
        Effect.flip
      )
      expect(error._tag === "TransportError" && error.reason).toBe("Transport: socket hang up: ECONNRESET")
    })
  )
})

/** A body that sends `chunks` and then, if told, fails as a dropped connection would. */
const streamed = (chunks: ReadonlyArray<string>, fail?: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      if (fail === undefined) controller.close()
      else controller.error(Object.assign(new Error(fail), { code: fail }))
    }
  })

const cohereWith = (step: Scripted.Step | ReadonlyArray<Scripted.Step>, options: Partial<Cohere.Options> = {}) => {
  const scripted = Scripted.make(Array.isArray(step) ? step : [step as Scripted.Step])
  return {
    scripted,
    run: Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
      Effect.provide(
        Cohere.layer({ apiKey: Redacted.make("k"), ...options }).pipe(Layer.provide(scripted.layer), Layer.orDie)
      ),
      Effect.either,
      // Retries wait on the TestClock: move it past every backoff.
      Effect.fork,
      Effect.tap(() => TestClock.adjust("1 minute")),
      Effect.flatMap(Fiber.join)
    )
  }
}

describe("reading bodies as they stream", () => {
  const good = JSON.stringify({ results: [{ index: 0, relevance_score: 0.5 }] })

  it.effect("a 2xx dropped mid-body is a TransportError that says so, retried", () =>
    Effect.gen(function* () {
      const { run, scripted } = cohereWith(
        [{ status: 200, body: streamed(['{"results":['], "ECONNRESET") }, Scripted.json(200, JSON.parse(good))],
        { retry: { maxRetries: 0 } }
      )
      const outcome = yield* run
      expect(outcome._tag === "Left" && outcome.left).toMatchObject({
        _tag: "TransportError",
        reason: "reading the response body failed: ECONNRESET"
      })
      expect(scripted.calls.length).toBe(1)
      const retried = cohereWith([
        { status: 200, body: streamed(['{"results":['], "ECONNRESET") },
        Scripted.json(200, JSON.parse(good))
      ])
      const second = yield* retried.run
      expect(second._tag).toBe("Right")
      expect(retried.scripted.calls.length).toBe(2)
    })
  )

  it.effect("an error status whose body drops keeps its status and loses only the message", () =>
    Effect.gen(function* () {
      const { run } = cohereWith(
        { status: 503, body: streamed(['{"message":"bu'], "ECONNRESET") },
        {
          retry: { maxRetries: 0 }
        }
      )
      const outcome = yield* run
      expect(outcome._tag === "Left" && outcome.left).toMatchObject({ _tag: "ServiceError", status: 503 })
      expect(outcome._tag === "Left" && outcome.left.serverMessage).toBeUndefined()
    })
  )

  it.effect("a 2xx streamed without a length: exactly the cap is read, one byte more is refused", () =>
    Effect.gen(function* () {
      const halves = [good.slice(0, 10), good.slice(10)]
      const at = yield* cohereWith({ status: 200, body: streamed(halves) }, { maxResponseBytes: good.length }).run
      expect(at._tag).toBe("Right")
      const over = yield* cohereWith({ status: 200, body: streamed(halves) }, { maxResponseBytes: good.length - 1 }).run
      expect(over._tag === "Left" && over.left).toMatchObject({
        _tag: "ResponseDecodeError",
        reason: `the response body is longer, over the ${good.length - 1}-byte cap (maxResponseBytes); nothing past the cap was read`
      })
    })
  )

  it.effect("a compressed 2xx is counted as it is decoded: its declared length is the compressed size", () =>
    Effect.gen(function* () {
      // What a client that decompresses hands over: content-length says 40, the text is far longer.
      const padded = JSON.stringify({ results: [{ index: 0, relevance_score: 0.5 }], pad: "x".repeat(2000) })
      const step = {
        status: 200,
        body: padded,
        headers: { "content-type": "application/json", "content-encoding": "gzip", "content-length": "40" }
      }
      const outcome = yield* cohereWith(step, { maxResponseBytes: 1024 }).run
      expect(outcome._tag === "Left" && outcome.left).toMatchObject({
        _tag: "ResponseDecodeError",
        reason: expect.stringContaining("over the 1024-byte cap")
      })
    })
  )

  it.effect("a declared length that is not plain digits is not trusted: the body is counted as it streams", () =>
    Effect.gen(function* () {
      const step = {
        status: 200,
        body: good,
        headers: { "content-type": "application/json", "content-length": "1e9" }
      }
      const outcome = yield* cohereWith(step, { maxResponseBytes: 1024 }).run
      expect(outcome._tag).toBe("Right")
    })
  )

  it.effect("an error body declared past its cap is read only up to the cap", () =>
    Effect.gen(function* () {
      let pulled = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Bounded, so a broken reader cannot run away: 16 MiB at most.
          if (pulled >= 16 * 1024 * 1024) return controller.close()
          pulled += 16 * 1024
          controller.enqueue(new Uint8Array(16 * 1024).fill(101))
        }
      })
      const step = { status: 500, body: endless, headers: { "content-length": String(16 * 1024 * 1024) } }
      const outcome = yield* cohereWith(step, { retry: { maxRetries: 0 } }).run
      expect(outcome._tag === "Left" && outcome.left).toMatchObject({ _tag: "ServiceError", status: 500 })
      expect(pulled).toBeLessThan(1024 * 1024)
    })
  )

  it.effect("an error body longer than its 64 KiB cap in one piece keeps its first part as the message", () =>
    Effect.gen(function* () {
      const { run } = cohereWith(
        { status: 500, body: streamed(["e".repeat(100 * 1024)]) },
        { retry: { maxRetries: 0 } }
      )
      const outcome = yield* run
      expect(outcome._tag === "Left" && outcome.left.serverMessage).toBe("e".repeat(299) + "…")
    })
  )
})

describe("the body cap at its boundary", () => {
  it.effect("a 2xx exactly at the cap is read; one byte over is refused", () =>
    Effect.gen(function* () {
      const body = JSON.stringify({ results: [{ index: 0, relevance_score: 0.5 }] })
      const at = Scripted.make([
        { status: 200, body, headers: { "content-type": "application/json", "content-length": String(body.length) } }
      ])
      const ok = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(
          Cohere.layer({ apiKey: Redacted.make("k"), maxResponseBytes: body.length }).pipe(
            Layer.provide(at.layer),
            Layer.orDie
          )
        )
      )
      expect(ok.results.length).toBe(1)
      const over = Scripted.make([{ status: 200, body, headers: { "content-type": "application/json" } }])
      const error = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(
          Cohere.layer({ apiKey: Redacted.make("k"), maxResponseBytes: body.length - 1 }).pipe(
            Layer.provide(over.layer),
            Layer.orDie
          )
        ),
        Effect.flip
      )
      expect(error._tag).toBe("ResponseDecodeError")
      expect(error._tag === "ResponseDecodeError" && error.reason).toContain(`over the ${body.length - 1}-byte cap`)
    })
  )
})

describe("the request's size in bytes", () => {
  it.effect(
    "counted in UTF-8 (accents, CJK, emoji, a lone surrogate): exactly the body's bytes, at the cap and past it",
    () =>
      Effect.gen(function* () {
        // Mixed, and nearly all three-byte characters (a body of almost 3 bytes a UTF-16 unit, the most there is).
        for (const documents of [
          ["café", "東京", "😀 party", "half \ud800 pair", "plain"],
          ["東京都庁舎".repeat(12), "大阪城公園".repeat(12), "名古屋駅前".repeat(12)]
        ]) {
          const body = JSON.stringify({ model: "rerank-v3.5", query: "q", documents })
          const bytes = new TextEncoder().encode(body).length
          const at = (maxRequestBytes: number) => {
            const scripted = Scripted.make(Scripted.scoredBy(() => 0.5))
            return Reranker.rerank({ query: "q", documents }).pipe(
              Effect.provide(
                Cohere.layer({ apiKey: Redacted.make("k"), maxRequestBytes }).pipe(
                  Layer.provide(scripted.layer),
                  Layer.orDie
                )
              ),
              Effect.either
            )
          }
          expect((yield* at(bytes))._tag).toBe("Right")
          const over = yield* at(bytes - 1)
          expect(over._tag).toBe("Left")
          if (over._tag === "Left" && over.left._tag === "PayloadLimitError") {
            expect(over.left.actual).toBe(bytes)
            expect(over.left.unit).toBe("bytes")
          } else expect.unreachable()
        }
      })
  )
})
