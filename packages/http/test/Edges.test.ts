/**
 * The status table's and the transport's edges, exactly: the reason each status gets, 3xx boundaries, a 413's unit,
 * what the server said (collapsed, cut, scrubbed), Retry-After read as delta-seconds only, transport reasons from
 * the cause chain, and the body cap at its boundary.
 */
import { Reranker, type RerankError } from "@effect-rerank/core"
import { Cohere, Tei } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import * as Scripted from "./ScriptedClient.js"

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

describe("transport failures", () => {
  it.effect("the reason walks the cause chain: the request's reason, then each cause's code or message", () =>
    Effect.gen(function* () {
      const error = yield* failWith({ transport: "ECONNREFUSED" })
      expect(error._tag === "TransportError" && error.reason).toBe("Transport: fetch failed: ECONNREFUSED")
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
