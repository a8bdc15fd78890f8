/**
 * What a user reads: every error's message, word for word, with the details a support ticket needs (status, attempts
 * past the first, request id, the provider's advice, what the server said), and the validation messages that name
 * the field at fault.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"

describe("error messages", () => {
  it("details: status, attempts past the first, request id, the provider's hint first, what the server said last", () => {
    const full = new RerankError.ServiceError({
      status: 503,
      attempts: 4,
      requestId: "req-9",
      hint: "Check the status page.",
      serverMessage: "overloaded"
    })
    expect(full.message).toBe(
      'The reranking service failed; try again later or check its status page. Check the status page. (status 503, 4 attempts, request id req-9) Server said: "overloaded".'
    )
    expect(new RerankError.ServiceError({ attempts: 1 }).message).toBe(
      "The reranking service failed; try again later or check its status page."
    )
    expect(new RerankError.ServiceError({ attempts: 2, requestId: "r" }).message).toBe(
      "The reranking service failed; try again later or check its status page. (2 attempts, request id r)"
    )
    expect(new RerankError.ServiceError({ status: 500 }).message).toBe(
      "The reranking service failed; try again later or check its status page. (status 500)"
    )
  })

  it("authentication, by reason", () => {
    const message = (reason: "invalid-key" | "forbidden" | "billing") =>
      new RerankError.AuthenticationError({ reason, status: 401 }).message
    expect(message("invalid-key")).toBe(
      "The API key was rejected: check the key and the base URL it belongs to. (status 401)"
    )
    expect(message("forbidden")).toBe(
      "The API key may not use this model or endpoint: check the model name and the key's permissions. (status 401)"
    )
    expect(message("billing")).toBe(
      "The account behind the API key has a billing problem: add a payment method or use another key. (status 401)"
    )
  })

  it("rate limits, with and without the server's delay", () => {
    expect(new RerankError.RateLimitError({ retryAfter: Option.none() }).message).toBe(
      "Rate limited by the reranking service: wait before retrying, or lower concurrency."
    )
    expect(new RerankError.RateLimitError({ retryAfter: Option.some(Duration.seconds(12)) }).message).toBe(
      "Rate limited by the reranking service: retry after 12s, or lower concurrency."
    )
  })

  it("timeouts, per attempt and for the whole call", () => {
    expect(new RerankError.TimeoutError({ timeout: Duration.seconds(5), scope: "attempt" }).message).toBe(
      "A rerank request did not finish within 5s: raise the timeout or send fewer documents."
    )
    expect(new RerankError.TimeoutError({ timeout: Duration.seconds(30), scope: "total", attempts: 3 }).message).toBe(
      "The rerank call, retries included, did not finish within 30s: raise the timeout or send fewer documents. (3 attempts)"
    )
  })

  it("payload limits, with advice by unit", () => {
    const message = (unit: "documents" | "bytes" | "chunks") =>
      new RerankError.PayloadLimitError({ limit: 10, actual: 12, unit }).message
    expect(message("documents")).toBe(
      "Request over the limit: 12 documents where at most 10 are allowed; enable batching or send fewer documents per call."
    )
    expect(message("bytes")).toBe(
      "Request over the limit: 12 bytes where at most 10 are allowed; send shorter or fewer documents per request (lower maxDocumentsPerRequest)."
    )
    expect(message("chunks")).toBe(
      "Request over the limit: 12 chunks where at most 10 are allowed; send fewer documents per request or split long documents into fewer chunks."
    )
  })

  it("invalid requests, transport and decode failures", () => {
    expect(new RerankError.InvalidRequestError({ reason: "bad" }).message).toBe("Invalid rerank request: bad.")
    expect(new RerankError.InvalidRequestError({ field: "topN", reason: "must be 1 or more" }).message).toBe(
      "Invalid rerank request: topN: must be 1 or more."
    )
    expect(new RerankError.TransportError({ reason: "ECONNREFUSED" }).message).toBe(
      "Could not reach the reranking service (ECONNREFUSED): check the base URL and the network."
    )
    expect(new RerankError.ResponseDecodeError({ reason: "results is missing" }).message).toBe(
      "The reranking service answered with something that is not a valid rerank response: results is missing. Check that the base URL points at a rerank endpoint that speaks this provider's protocol."
    )
  })

  it("the type id guard tells our errors from look-alikes", () => {
    expect(RerankError.isRerankError(new RerankError.ServiceError({}))).toBe(true)
    expect(RerankError.isRerankError({ _tag: "ServiceError", attempts: 0 })).toBe(false)
    expect(RerankError.isRerankError(null)).toBe(false)
    expect(RerankError.TypeId).toBe(Symbol.for("@effect-rerank/core/RerankError"))
  })
})

describe("validation messages name the field", () => {
  const reranker = Reranker.makeTest(() => 1)
  const invalid = (request: any) =>
    Effect.flatMap(reranker, (r) => Effect.flip(r.rerank(request))) as Effect.Effect<RerankError.RerankError>

  it.effect("each bad input, its field and reason", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string, string]> = [
        [{ query: 1, documents: ["a"] }, "query", "must be a non-empty string"],
        [{ query: " ", documents: ["a"] }, "query", "must be a non-empty string"],
        [{ query: "q", documents: ["a"], topN: 0 }, "topN", "must be an integer >= 1, got 0"],
        [{ query: "q", documents: ["a"], topN: 1.5 }, "topN", "must be an integer >= 1, got 1.5"],
        [{ query: "q", documents: ["a"], minScore: Number.NaN }, "minScore", "must be a finite number, got NaN"],
        [{ query: "q", documents: ["a"], model: " " }, "model", "must be a non-empty string when given"],
        [{ query: "q", documents: ["a"], model: 5 }, "model", "must be a non-empty string when given"],
        [{ query: "q", documents: "a" }, "documents", "must be an array"],
        [
          { query: "q", documents: ["a", 3] },
          "documents[1]",
          "is not a string: pass `toText` to turn your documents into text"
        ],
        [
          { query: "q", documents: [{ t: 1 }], toText: (d: any) => d.t },
          "documents[0]",
          "toText returned something that is not a string"
        ],
        [{ query: "q", documents: ["a", "  "] }, "documents[1]", "has empty text"]
      ]
      for (const [request, field, reason] of cases) {
        const error = yield* invalid(request)
        expect(error._tag).toBe("InvalidRequestError")
        if (error._tag === "InvalidRequestError") expect([error.field, error.reason]).toEqual([field, reason])
        expect(error.attempts).toBe(0)
      }
    })
  )

  it.effect("with objects and toText, the documents stay the caller's own", () =>
    Effect.gen(function* () {
      const documents = [{ text: "a" }, { text: "bb" }]
      const result = yield* Effect.flatMap(reranker, (r) => r.rerank({ query: "q", documents, toText: (d) => d.text }))
      expect(result.results.map((r) => r.document)).toEqual(documents)
      expect(result.results[0].document).toBe(documents[0])
    })
  )

  it.effect("reranker options: messages give the value that was refused", () =>
    Effect.gen(function* () {
      const refused = (options: Reranker.Options) =>
        Effect.flip(Reranker.makeTest(() => 1, options)).pipe(Effect.map(String))
      expect(yield* refused({ maxDocumentsPerRequest: 0 })).toContain("must be an integer >= 1, got 0")
      expect(yield* refused({ concurrency: 1.5 })).toContain("must be an integer >= 1, got 1.5")
      expect(yield* refused({ merge: "mean" as "rrf" })).toContain('must be one of "score", "rrf", got mean')
      expect(yield* refused({ batching: "yes" as unknown as boolean })).toContain("must be true or false")
      expect(yield* refused({ retry: { maxRetries: -1 } })).toContain("must be an integer >= 0, got -1")
      expect(yield* refused({ timeout: "0 seconds" })).toContain("must be a duration longer than zero, got 0 seconds")
      expect(yield* refused({ totalTimeout: "soon" as "1 second" })).toContain("must be a duration, got soon")
    })
  )
})
