import { Reranker, RerankError } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection, NodeServer } from "@effect-rerank/server"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either, Layer, Logger, LogLevel, Redacted, Scope } from "effect"
import { documents, query } from "../../../test-utils/Sample.js"

/** Starts a server on a free loopback port for the enclosing scope and returns its base URL. */
const startServer = (
  options: NodeServer.Options = {},
  logs?: Array<string>,
  reranker: Layer.Layer<Reranker.Reranker, unknown> = LocalReranker.layer()
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.Scope
    const logger = Logger.make(({ message, annotations }) =>
      logs?.push(JSON.stringify({ message, annotations: [...annotations] }))
    )
    const context = yield* Layer.buildWithScope(
      NodeServer.layer({ port: 0, ...options }).pipe(
        Layer.provide(reranker),
        Layer.provide(Logger.replace(Logger.defaultLogger, logger))
      ),
      scope
    )
    const address = yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "")
    ).pipe(Effect.provide(context))
    return address
  })

const client = (baseUrl: string, options: Partial<Cohere.Options> = {}) =>
  Cohere.layer({
    apiKey: Redacted.make("test-key"),
    baseUrl,
    retry: { base: "5 millis", cap: "1 second" },
    ...options
  }).pipe(Layer.provide(FetchHttpClient.layer))

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers }
    })
    return { status: response.status, body: await response.json().catch(() => null) }
  })

describe("server end to end: the Cohere layer against it", () => {
  for (const apiVersion of ["v2", "v1"] as const) {
    it.scopedLive(`${apiVersion}: same order and scores as the local layer called directly`, () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer()
        const direct = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(LocalReranker.layer()))
        const served = yield* Reranker.rerank({ query, documents }).pipe(
          Effect.provide(client(baseUrl, { apiVersion }))
        )
        expect(served.results.map((r) => r.index)).toEqual(direct.results.map((r) => r.index))
        expect(served.results.map((r) => r.score)).toEqual(direct.results.map((r) => r.score))
        expect(served.results[0].document).toBe(documents[3])
        // The server passes on what its reranker bills: the local one bills nothing.
        expect(served.usage).toEqual({
          searchUnits: 0,
          requests: 1,
          billed: { unit: "searchUnits", quantity: 0, source: "reported" },
          cost: 0
        })
      })
    )
  }

  it.scopedLive("2,500 documents go through batching and come back complete", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer()
      const many = Array.from({ length: 2500 }, (_, i) => `${documents[i % 5]} (copy ${i})`)
      const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(client(baseUrl)))
      expect(result.results.length).toBe(2500)
      expect(new Set(result.results.map((r) => r.index)).size).toBe(2500)
      expect(result.usage.requests).toBe(3)
      expect(result.usage.searchUnits).toBe(0)
    })
  )

  const faults: ReadonlyArray<readonly [string, string, Partial<Cohere.Options>, string, number]> = [
    ["429 with Retry-After", "429:retry-after=0", {}, "RateLimitError", 4],
    ["500", "500", {}, "ServiceError", 4],
    ["502", "502", {}, "ServiceError", 4],
    ["503", "503", {}, "ServiceError", 4],
    ["504", "504", {}, "ServiceError", 4],
    ["a connection reset", "reset", {}, "TransportError", 4],
    ["a truncated body", "truncate", {}, "TransportError", 4],
    ["a delay past the attempt timeout", "delay:ms=400", { timeout: "100 millis" }, "TimeoutError", 4],
    ["503 with retries off", "503", { retry: { maxRetries: 0 } }, "ServiceError", 1]
  ]
  for (const [name, spec, options, tag, attempts] of faults) {
    it.scopedLive(`fault ${spec} (${name}) -> ${tag} after ${attempts} attempt(s)`, () =>
      Effect.gen(function* () {
        const rule = Either.getOrThrow(FaultInjection.parseRule(spec))
        const baseUrl = yield* startServer({ faults: { rules: [rule] } })
        const error = yield* Reranker.rerank({ query, documents }).pipe(
          Effect.provide(client(baseUrl, options)),
          Effect.flip
        )
        expect(error._tag).toBe(tag)
        expect(RerankError.isRerankError(error) && error.attempts).toBe(attempts)
        if (error._tag === "RateLimitError") expect(error.retryAfter._tag).toBe("Some")
      })
    )
  }

  it.scopedLive("a fault on every 2nd request is recovered by one retry", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer({
        faults: { rules: [Either.getOrThrow(FaultInjection.parseRule("503:every=2"))] }
      })
      const layer = client(baseUrl)
      yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
      const logs: Array<string> = []
      const second = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(layer),
        Effect.provide(
          Logger.replace(
            Logger.defaultLogger,
            Logger.make(({ message }) => logs.push(String(message)))
          )
        ),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      expect(second.results.length).toBe(5)
      expect(logs).toEqual(["rerank attempt failed"])
    })
  )
})

describe("server answers malformed requests like Cohere", () => {
  const cases: ReadonlyArray<readonly [string, string, string, number, string]> = [
    ["invalid JSON", "v2", "{not json", 400, "invalid request: request body is not valid JSON"],
    [
      "an empty document list",
      "v2",
      JSON.stringify({ model: "m", query: "q", documents: [] }),
      400,
      "invalid request: list of documents must not be empty"
    ],
    [
      "an empty query",
      "v2",
      JSON.stringify({ model: "m", query: " ", documents: ["a"] }),
      400,
      "invalid request: query must not be empty"
    ],
    [
      "a missing model on v2",
      "v2",
      JSON.stringify({ query: "q", documents: ["a"] }),
      400,
      "invalid request: model must be specified"
    ],
    [
      "documents x chunks over 10,000",
      "v1",
      JSON.stringify({ query: "q", documents: Array.from({ length: 1001 }, () => "a") }),
      400,
      "invalid request: number of total max chunks (number of documents * max_chunks_per_doc) must be less than 10000"
    ],
    [
      "a non-string v2 document",
      "v2",
      JSON.stringify({ model: "m", query: "q", documents: [{ text: "a" }] }),
      400,
      "invalid request: documents[0] must be a string"
    ],
    [
      "a bad top_n",
      "v2",
      JSON.stringify({ model: "m", query: "q", documents: ["a"], top_n: 0 }),
      400,
      "invalid request: top_n must be a positive integer"
    ],
    ["a JSON array", "v2", "[]", 400, "invalid request: request body must be a JSON object"],
    ["JSON null", "v1", "null", 400, "invalid request: request body must be a JSON object"],
    ["JSON null on v2", "v2", "null", 400, "invalid request: request body must be a JSON object"],
    [
      "a blank model on v1",
      "v1",
      JSON.stringify({ model: " ", query: "q", documents: ["a"] }),
      400,
      "invalid request: model: must be a non-empty string when given"
    ],
    ["a JSON number on v2", "v2", "5", 400, "invalid request: request body must be a JSON object"],
    [
      "a blank model on v2",
      "v2",
      JSON.stringify({ model: "  ", query: "q", documents: ["a"] }),
      400,
      "invalid request: model must be specified"
    ],
    [
      "a fractional priority",
      "v2",
      JSON.stringify({ model: "m", query: "q", documents: ["a"], priority: 1.5 }),
      400,
      "invalid request: priority must be an integer from 0 to 999"
    ],
    [
      "a priority past 999",
      "v2",
      JSON.stringify({ model: "m", query: "q", documents: ["a"], priority: 1000 }),
      400,
      "invalid request: priority must be an integer from 0 to 999"
    ]
  ]
  for (const [name, version, body, status, message] of cases) {
    it.scopedLive(`${name} -> ${status}`, () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer()
        const response = yield* post(`${baseUrl}/${version}/rerank`, body)
        expect(response.status).toBe(status)
        expect(response.body).toMatchObject({ message })
        expect(typeof response.body.id).toBe("string")
      })
    )
  }

  it.scopedLive("the chunk rule is v1's: 1,001 documents are fine on v2", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer()
      const many = Array.from({ length: 1001 }, (_, i) => `document ${i}`)
      const response = yield* post(`${baseUrl}/v2/rerank`, JSON.stringify({ model: "m", query: "q", documents: many }))
      expect(response.status).toBe(200)
      expect(response.body.results).toHaveLength(1001)
    })
  )

  it.scopedLive("v1 accepts objects with text, model optional, and returns documents on request", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer()
      const response = yield* post(
        `${baseUrl}/v1/rerank`,
        JSON.stringify({ query, documents: documents.map((text) => ({ text })), top_n: 2, return_documents: true })
      )
      expect(response.status).toBe(200)
      expect(response.body.results).toHaveLength(2)
      expect(response.body.results[0]).toMatchObject({ index: 3, document: { text: documents[3] } })
      expect(response.body.meta).toEqual({ api_version: { version: "1" }, billed_units: { search_units: 0 } })
    })
  )

  it.scopedLive("a body over the limit -> 413", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer({ maxBodyBytes: 100 })
      const response = yield* post(`${baseUrl}/v2/rerank`, JSON.stringify({ model: "m", query, documents }))
      expect(response.status).toBe(413)
      expect(response.body.message).toContain("too large")
    })
  )

  it.scopedLive("an unknown route -> 404 with a Cohere-shaped body", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer()
      const response = yield* post(`${baseUrl}/v3/rerank`, "{}")
      expect(response.status).toBe(404)
      expect(typeof response.body.message).toBe("string")
    })
  )
})

describe("server API key", () => {
  const key = "server-secret-5d41402abc4b"

  it.scopedLive(
    "missing or wrong bearer keys get 401 invalid api token; the right one passes; the key is never logged",
    () =>
      Effect.gen(function* () {
        const logs: Array<string> = []
        const baseUrl = yield* startServer({ apiKey: Redacted.make(key) }, logs)
        const body = JSON.stringify({ model: "m", query, documents })
        const missing = yield* post(`${baseUrl}/v2/rerank`, body)
        expect(missing).toMatchObject({ status: 401, body: { message: "invalid api token" } })
        const wrong = yield* post(`${baseUrl}/v2/rerank`, body, { authorization: "Bearer nope" })
        expect(wrong.status).toBe(401)
        const right = yield* post(`${baseUrl}/v2/rerank`, body, { authorization: `Bearer ${key}` })
        expect(right.status).toBe(200)
        const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(client(baseUrl)), Effect.flip)
        expect(error).toMatchObject({ _tag: "AuthenticationError", reason: "invalid-key", status: 401, attempts: 1 })
        expect(RerankError.isRerankError(error) && RerankError.isRetryable(error)).toBe(false)
        expect(logs.length).toBeGreaterThanOrEqual(4)
        for (const line of logs) {
          expect(line).not.toContain(key)
          for (const document of documents) expect(line).not.toContain(document)
        }
      })
  )
})

describe("NodeServer.layerConfig", () => {
  it.scopedLive("reads RERANK_SERVER_API_KEY and RERANK_SERVER_PORT from the environment", () =>
    Effect.gen(function* () {
      const env = ConfigProvider.fromMap(
        new Map([
          ["RERANK_SERVER_API_KEY", "env-key"],
          ["RERANK_SERVER_PORT", "0"]
        ])
      )
      const context = yield* Layer.build(
        NodeServer.layerConfig().pipe(Layer.provide(LocalReranker.layer()), Layer.provide(Layer.setConfigProvider(env)))
      )
      const baseUrl = yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address)).pipe(
        Effect.provide(context)
      )
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const body = JSON.stringify({ model: "m", query, documents })
      expect((yield* post(`${baseUrl}/v2/rerank`, body)).status).toBe(401)
      expect((yield* post(`${baseUrl}/v2/rerank`, body, { authorization: "Bearer env-key" })).status).toBe(200)
    })
  )
})
