/**
 * What each protocol's clients see from the server, byte for byte where it matters: the provider's own response
 * shape (documents back when asked, under the provider's field names), its own error messages for bad bodies, and
 * the quota fault answering 429 with Retry-After past its budget.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { FaultInjection } from "@effect-rerank/server"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Redacted } from "effect"
import * as LocalServer from "./LocalServer.js"

const startServer = LocalServer.start

const post = LocalServer.post

const docs = ["the cat sat", "capital of france is paris", "dogs bark"]
const query = "capital of france"

describe("each protocol's response shape, documents included when asked", () => {
  it.scopedLive("Cohere: meta.api_version names the version of the path asked", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      for (const version of ["1", "2"]) {
        const { body, status } = yield* post(`${base}/v${version}/rerank`, {
          model: "rerank-v3.5",
          query,
          documents: docs
        })
        expect(status).toBe(200)
        expect(body.meta).toEqual({ api_version: { version }, billed_units: { search_units: expect.any(Number) } })
        expect(body.results.map((r: { index: number }) => r.index)[0]).toBe(1)
      }
    })
  )

  it.scopedLive("Jina: results[].{index, relevance_score, document: {text}}, model, usage", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const { body, status } = yield* post(`${base}/jina/v1/rerank`, {
        model: "jina-reranker-v2-base-multilingual",
        query,
        documents: docs,
        top_n: 2,
        return_documents: true
      })
      expect(status).toBe(200)
      expect(body.results.length).toBe(2)
      expect(body.results[0]).toEqual({ index: 1, relevance_score: expect.any(Number), document: { text: docs[1] } })
      expect(typeof body.model).toBe("string")
      expect(body.usage).toEqual({ total_tokens: 0 })
    })
  )

  it.scopedLive("Voyage: data[], top_k, documents as strings when asked", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const { body } = yield* post(`${base}/voyage/v1/rerank`, {
        model: "rerank-2.5",
        query,
        documents: docs,
        top_k: 1,
        return_documents: true
      })
      expect(body.object).toBe("list")
      expect(body.data).toEqual([{ index: 1, relevance_score: expect.any(Number), document: docs[1] }])
      expect(body.usage).toEqual({ total_tokens: 0 })
    })
  )

  it.scopedLive("Mixedbread: input, top_k, data[].{index, score, input, object: rank_result}", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const { body } = yield* post(`${base}/mixedbread/v1/reranking`, {
        model: "mixedbread-ai/mxbai-rerank-large-v2",
        query,
        input: docs,
        top_k: 2,
        return_input: true
      })
      expect(body.data[0]).toEqual({ index: 1, score: expect.any(Number), input: docs[1], object: "rank_result" })
      expect(body.top_k).toBe(2)
      expect(body.return_input).toBe(true)
      expect([body.object, body.usage]).toEqual(["list", { prompt_tokens: 0, total_tokens: 0 }])
      const { body: error, status } = yield* post(`${base}/mixedbread/v1/reranking`, {
        model: "m",
        query,
        input: []
      })
      expect(status).toBe(400)
      expect(error.detail).toBe("invalid request: list of input must not be empty")
    })
  )

  it.scopedLive("Pinecone: documents as objects, returned by default, usage in rerank_units; Api-Key checked", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const { body } = yield* post(`${base}/pinecone/rerank`, {
        model: "bge-reranker-v2-m3",
        query,
        documents: docs.map((text, i) => ({ id: `d${i}`, text }))
      })
      // Each document comes back as it was sent: every field, not only the text ranked.
      expect(body.data[0]).toEqual({ index: 1, score: expect.any(Number), document: { id: "d1", text: docs[1] } })
      expect(body.usage).toEqual({ rerank_units: 0 })
      const keyed = yield* startServer({ apiKey: Redacted.make("pc-key") })
      const request = { model: "m", query, documents: [{ text: "a" }] }
      expect((yield* post(`${keyed}/pinecone/rerank`, request, { authorization: "Bearer pc-key" })).status).toBe(401)
      expect((yield* post(`${keyed}/pinecone/rerank`, request, { "api-key": "pc-key" })).status).toBe(200)
    })
  )

  it.scopedLive("TEI: a bare array of {index, score, text?}; texts empty is TEI's validation error", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const { body } = yield* post(`${base}/tei/rerank`, { query, texts: docs, return_text: true })
      expect(Array.isArray(body)).toBe(true)
      expect(body[0]).toEqual({ index: 1, score: expect.any(Number), text: docs[1] })
      const { body: error, status } = yield* post(`${base}/tei/rerank`, { query, texts: [] })
      expect(status).toBe(400)
      expect(error).toEqual({ error: "invalid request: list of texts must not be empty", error_type: "Validation" })
    })
  )

  it.scopedLive("Together: object rerank, documents as {text} when asked (else {}), usage in three counts", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const plain = yield* post(`${base}/together/v1/rerank`, { model: "m", query, documents: docs, top_n: 1 })
      expect([plain.body.object, plain.body.usage]).toEqual([
        "rerank",
        { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
      ])
      expect(plain.body.results).toEqual([{ index: 1, relevance_score: expect.any(Number), document: {} }])
      const asked = yield* post(`${base}/together/v1/rerank`, {
        model: "m",
        query,
        documents: docs,
        top_n: 1,
        return_documents: true
      })
      expect(asked.body.results[0].document).toEqual({ text: docs[1] })
    })
  )

  it.scopedLive("vLLM: Cohere-like results with document.text, on /v2/rerank, /v1/rerank and /rerank", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      for (const path of ["/v2/rerank", "/v1/rerank", "/rerank"]) {
        const { body } = yield* post(`${base}/vllm${path}`, { query, documents: docs, top_n: 1 })
        expect(body.results).toEqual([{ index: 1, document: { text: docs[1] }, relevance_score: expect.any(Number) }])
        expect(body.id).toMatch(/^rerank-/)
        expect(body.usage).toEqual({ total_tokens: 0 })
      }
      const { body: error } = yield* post(`${base}/vllm/v2/rerank`, { query: " ", documents: docs })
      expect(error.error).toEqual({
        message: "invalid request: query must not be empty",
        type: "BadRequestError",
        param: null,
        code: 400
      })
    })
  )

  it.scopedLive("Bedrock: results[].{index, relevanceScore}, numberOfResults as topN; errors name the exception", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const request = LocalServer.bedrockBody({
        queries: [query],
        texts: docs,
        numberOfResults: 2,
        modelArn: "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0"
      })
      const { body } = yield* post(`${base}/bedrock/rerank`, request)
      expect(body.results.length).toBe(2)
      expect(body.results[0]).toEqual({ index: 1, relevanceScore: expect.any(Number) })
      const { body: error, headers, status } = yield* post(`${base}/bedrock/rerank`, { ...request, sources: "x" })
      expect(status).toBe(400)
      expect(headers.get("x-amzn-errortype")).toBe("ValidationException")
      expect(error).toEqual({ message: "invalid request: sources must be an array" })
    })
  )

  it.scopedLive(
    "Bedrock: the reranker behind the server is asked for the model the ARN names, by its id, and the query",
    () =>
      Effect.gen(function* () {
        const models: Array<string> = []
        const queries: Array<string> = []
        const recording = Reranker.layer({
          specificationVersion: "v2",
          system: "recording",
          model: "default-model",
          rerankWindow: (request) =>
            Effect.sync(() => {
              models.push(request.model)
              queries.push(request.query)
              return { results: request.documents.map((_, index) => ({ index, score: 1 / (index + 1) })) }
            })
        })
        const base = yield* startServer({}, recording)
        const ask = (modelArn: string, queries = [query]) =>
          post(`${base}/bedrock/rerank`, LocalServer.bedrockBody({ queries, texts: docs, modelArn }))
        yield* ask("arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0")
        yield* ask("arn:aws:bedrock:eu-central-1::foundation-model/cohere.rerank-v3-5:0")
        // Not a foundation-model ARN (a provisioned model, or a bare id): passed on as it is.
        yield* ask("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc")
        yield* ask("amazon.rerank-v1:0", ["first", "second"])
        // Bedrock takes one query today; more are ranked against as one text, a line each.
        expect(queries.at(-1)).toBe("first\nsecond")
        const empty = yield* post(`${base}/bedrock/rerank`, LocalServer.bedrockBody({ texts: [] }))
        expect([empty.status, empty.body]).toEqual([
          400,
          { message: "invalid request: list of sources must not be empty" }
        ])
        expect(models).toEqual([
          "amazon.rerank-v1:0",
          "cohere.rerank-v3-5:0",
          "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc",
          "amazon.rerank-v1:0"
        ])
      })
  )

  it.scopedLive("a rank_fields list over the limit is refused on every protocol that takes one", () =>
    Effect.gen(function* () {
      const base = yield* startServer()
      const fields = Array.from({ length: 101 }, (_, i) => `f${i}`)
      const together = yield* post(`${base}/together/v1/rerank`, {
        model: "m",
        query,
        documents: [{ f1: "x" }],
        rank_fields: fields
      })
      expect(together.status).toBe(400)
      expect(together.body.error.message).toBe("invalid request: rank_fields must have at most 100 fields")
    })
  )
})

describe("each protocol's error body, status by status", () => {
  // What each provider's own server sends for a status (fault statuses, a wrong key), as its SDKs read it.
  const statuses = [401, 429, 500, 502, 503, 504] as const
  const cases: ReadonlyArray<{
    readonly name: string
    readonly path: string
    readonly body: unknown
    readonly headers: (key: string) => Record<string, string>
    readonly expected: (status: number) => unknown
  }> = [
    {
      name: "Pinecone",
      path: "/pinecone/rerank",
      body: { model: "bge-reranker-v2-m3", query, documents: docs.map((text) => ({ text })) },
      headers: (key) => ({ "api-key": key }),
      expected: (status) => ({
        error: {
          code: {
            401: "UNAUTHENTICATED",
            429: "RESOURCE_EXHAUSTED",
            500: "INTERNAL",
            502: "UNKNOWN",
            503: "UNAVAILABLE",
            504: "UNKNOWN"
          }[status],
          message: expect.any(String)
        },
        status
      })
    },
    {
      name: "vLLM",
      path: "/vllm/v2/rerank",
      body: { model: "m", query, documents: docs },
      headers: (key) => ({ authorization: `Bearer ${key}` }),
      expected: (status) => ({
        error: {
          message: expect.any(String),
          type: {
            401: "Unauthorized",
            429: "TooManyRequests",
            500: "InternalServerError",
            502: "InternalServerError",
            503: "ServiceUnavailable",
            504: "InternalServerError"
          }[status],
          param: null,
          code: status
        }
      })
    },
    {
      name: "TEI",
      path: "/tei/rerank",
      body: { query, texts: docs },
      headers: (key) => ({ authorization: `Bearer ${key}` }),
      expected: (status) => ({
        error: expect.any(String),
        error_type: {
          401: "Validation",
          429: "Overloaded",
          500: "Backend",
          502: "Backend",
          503: "Backend",
          504: "Backend"
        }[status]
      })
    },
    {
      name: "Together",
      path: "/together/v1/rerank",
      body: { model: "m", query, documents: docs },
      headers: (key) => ({ authorization: `Bearer ${key}` }),
      expected: (status) => ({
        error: {
          message: expect.any(String),
          type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error",
          code: null
        }
      })
    }
  ]
  for (const { body, expected, headers, name, path } of cases) {
    it.scopedLive(`${name}: ${statuses.join(", ")}`, () =>
      Effect.gen(function* () {
        const wrongKey = yield* startServer({ apiKey: Redacted.make("right-key") })
        const denied = yield* post(`${wrongKey}${path}`, body, headers("wrong-key"))
        expect([denied.status, denied.body]).toEqual([401, expected(401)])
        for (const status of statuses.slice(1)) {
          const rule = Either.getOrThrow(FaultInjection.parseRule(String(status)))
          const base = yield* startServer({ faults: { rules: [rule] } })
          const answer = yield* post(`${base}${path}`, body, headers("any"))
          expect([answer.status, answer.body]).toEqual([status, expected(status)])
        }
      })
    )
  }

  it.scopedLive("Bedrock: the exception's name in x-amzn-ErrorType, the message in the body", () =>
    Effect.gen(function* () {
      const names: Record<number, string> = {
        429: "ThrottlingException",
        500: "InternalServerException",
        502: "BadGatewayException",
        503: "ServiceUnavailableException",
        504: "InternalServerException"
      }
      for (const status of statuses.slice(1)) {
        const rule = Either.getOrThrow(FaultInjection.parseRule(String(status)))
        const base = yield* startServer({ faults: { rules: [rule] } })
        const answer = yield* post(`${base}/bedrock/rerank`, { queries: [], sources: [] })
        expect([answer.status, answer.headers.get("x-amzn-errortype"), typeof answer.body.message]).toEqual([
          status,
          names[status],
          "string"
        ])
      }
    })
  )
})

describe("the other statuses the server sends, by each protocol's name for them", () => {
  // A bad body (400), a body over the server's limit (413), and what an upstream reranker's errors become: its key
  // refused, unpaid or forbidden (401, 402, 403), and a status of its own passed through (499, 507).
  const failingWith = (error: RerankError.RerankError) =>
    Layer.succeed(Reranker.Reranker, { rerank: () => Effect.fail(error) })
  const named = (base: string, body: (protocol: string) => unknown) =>
    Effect.gen(function* () {
      const bedrock = yield* post(`${base}/bedrock/rerank`, body("bedrock"))
      const pinecone = yield* post(`${base}/pinecone/rerank`, body("pinecone"))
      const vllm = yield* post(`${base}/vllm/v2/rerank`, body("vllm"))
      const tei = yield* post(`${base}/tei/rerank`, body("tei"))
      return [
        bedrock.status,
        bedrock.headers.get("x-amzn-errortype"),
        pinecone.body.error.code,
        vllm.body.error.type,
        tei.body.error_type
      ]
    })
  const valid = (protocol: string) =>
    protocol === "bedrock"
      ? LocalServer.bedrockBody({})
      : protocol === "tei"
        ? { query, texts: docs }
        : { model: "m", query, documents: protocol === "pinecone" ? docs.map((text) => ({ text })) : docs }

  it.scopedLive("Bedrock's exception, Pinecone's code, vLLM's type and TEI's error type", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      seen.push(yield* named(yield* startServer(), () => ({ query: 5 })))
      const tiny = yield* startServer({ maxBodyBytes: 20 })
      seen.push(yield* named(tiny, valid))
      for (const reason of ["invalid-key", "billing", "forbidden"] as const) {
        const upstream = failingWith(new RerankError.AuthenticationError({ reason, attempts: 1 }))
        seen.push(yield* named(yield* startServer({}, upstream), valid))
      }
      for (const status of [499, 507]) {
        const upstream = failingWith(new RerankError.ServiceError({ status, attempts: 1 }))
        seen.push(yield* named(yield* startServer({}, upstream), valid))
      }
      expect(seen).toEqual([
        [400, "ValidationException", "INVALID_ARGUMENT", "BadRequestError", "Validation"],
        [413, "ValidationException", "OUT_OF_RANGE", "BadRequestError", "Validation"],
        // The reranker behind the server refusing the server's own key: the server's failure, whatever the reason.
        [502, "BadGatewayException", "UNKNOWN", "InternalServerError", "Backend"],
        [502, "BadGatewayException", "UNKNOWN", "InternalServerError", "Backend"],
        [502, "BadGatewayException", "UNKNOWN", "InternalServerError", "Backend"],
        [499, "ValidationException", "UNKNOWN", "BadRequestError", "Validation"],
        [507, "InternalServerException", "UNKNOWN", "InternalServerError", "Backend"]
      ])
    })
  )
})

describe("the quota fault: a provider's token bucket", () => {
  it.scopedLive("3 a minute: the 4th call in a row gets 429 with Retry-After in whole seconds", () =>
    Effect.gen(function* () {
      const rule = Either.getOrThrow(FaultInjection.parseRule("quota:limit=3:window-ms=60000"))
      const base = yield* startServer({ faults: { rules: [rule] } })
      const statuses: Array<number> = []
      let retryAfter: string | null = null
      for (let i = 0; i < 4; i++) {
        const { headers, status } = yield* post(`${base}/v2/rerank`, { model: "m", query, documents: docs })
        statuses.push(status)
        if (status === 429) retryAfter = headers.get("retry-after")
      }
      expect(statuses).toEqual([200, 200, 200, 429])
      // One token every 20 s.
      expect(Number(retryAfter)).toBeGreaterThan(15)
      expect(Number(retryAfter)).toBeLessThanOrEqual(20)
    })
  )

  it("parses and refuses quota rules by their own rules", () => {
    expect(FaultInjection.parseRule("quota:limit=20")).toEqual(
      Either.right({
        fault: { _tag: "Quota", limit: 20, windowMillis: 1000 },
        every: undefined,
        probability: undefined
      })
    )
    expect(Either.getLeft(FaultInjection.parseRule("quota"))).toEqual(
      Either.getLeft(Either.left('quota needs limit=N (an integer >= 1) in "quota"'))
    )
    expect(Either.isLeft(FaultInjection.parseRule("quota:limit=2.5"))).toBe(true)
    expect(Either.isLeft(FaultInjection.parseRule("quota:limit=5:window-ms=0"))).toBe(true)
  })

  it("a token bucket: spent tokens come back at limit / window, never past the limit", () => {
    let now = 0
    const injector = FaultInjection.make(
      { rules: [{ fault: { _tag: "Quota", limit: 2, windowMillis: 1000 } }] },
      () => now
    )
    const outcome = () => (injector.next()._tag === "None" ? "ok" : "429")
    expect([outcome(), outcome(), outcome()]).toEqual(["ok", "ok", "429"])
    now = 499
    expect(outcome()).toBe("429")
    now = 500
    expect(outcome()).toBe("ok")
    now = 10_000
    expect([outcome(), outcome(), outcome()]).toEqual(["ok", "ok", "429"])
  })
})
