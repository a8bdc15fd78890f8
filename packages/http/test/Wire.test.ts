import { Reranker, type RerankRequest } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { readFileSync } from "node:fs"
import { describeConformance, readConformanceText } from "../../../test-utils/Conformance.js"
import { version } from "../src/internal/version.js"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const key = "sk-wire-0123456789"
const documents = ["alpha", "beta", "gamma"]

const sent = (options: Partial<Cohere.Options>, request: Partial<RerankRequest.RerankRequest<string>> = {}) =>
  Effect.gen(function* () {
    const client = Scripted.make(Scripted.scoredBy((_, i) => 0.9 - i / 10))
    const layer = Cohere.layer({ apiKey: Redacted.make(key), ...options }).pipe(Layer.provide(client.layer))
    yield* Reranker.rerank({ query: "greek letters", documents, ...request }).pipe(Effect.provide(layer))
    expect(client.calls.length).toBe(1)
    return client.calls[0]
  })

describe("Cohere wire format", () => {
  it.effect("v2 by default: POST /v2/rerank with only model, query and documents", () =>
    Effect.gen(function* () {
      const call = yield* sent({})
      expect(call.method).toBe("POST")
      expect(call.url).toBe("https://api.cohere.com/v2/rerank")
      expect(call.body).toStrictEqual({ model: "rerank-v3.5", query: "greek letters", documents })
    })
  )

  it.effect("v2 with every optional field", () =>
    Effect.gen(function* () {
      const call = yield* sent({ maxTokensPerDoc: 512, priority: 7, model: "rerank-v4.0-pro" }, { topN: 2 })
      expect(call.body).toStrictEqual({
        model: "rerank-v4.0-pro",
        query: "greek letters",
        documents,
        top_n: 2,
        max_tokens_per_doc: 512,
        priority: 7
      })
    })
  )

  it.effect("a request's model overrides the layer's", () =>
    Effect.gen(function* () {
      const call = yield* sent({ model: "rerank-v3.5" }, { model: "rerank-english-v3.0" })
      expect(call.body.model).toBe("rerank-english-v3.0")
    })
  )

  it.effect("v1: POST /v1/rerank, v1 fields only", () =>
    Effect.gen(function* () {
      const plain = yield* sent({ apiVersion: "v1", maxTokensPerDoc: 512, priority: 3 })
      expect(plain.url).toBe("https://api.cohere.com/v1/rerank")
      expect(plain.body).toStrictEqual({ model: "rerank-v3.5", query: "greek letters", documents })
      const full = yield* sent({ apiVersion: "v1", maxChunksPerDoc: 4, returnDocuments: false }, { topN: 1 })
      expect(full.body).toStrictEqual({
        model: "rerank-v3.5",
        query: "greek letters",
        documents,
        top_n: 1,
        max_chunks_per_doc: 4,
        return_documents: false
      })
    })
  )

  it.effect("headers: bearer key, JSON, User-Agent with version, X-Client-Name when set", () =>
    Effect.gen(function* () {
      const call = yield* sent({ clientName: "my-app" })
      expect(call.headers["authorization"]).toBe(`Bearer ${key}`)
      expect(call.headers["content-type"]).toBe("application/json")
      expect(call.headers["accept"]).toBe("application/json")
      expect(call.headers["user-agent"]).toBe(`effect-rerank/${version}`)
      expect(call.headers["x-client-name"]).toBe("my-app")
      const without = yield* sent({})
      expect(without.headers).not.toHaveProperty("x-client-name")
    })
  )

  it.effect("no trace propagation headers to a third-party host; they go to loopback", () =>
    Effect.gen(function* () {
      const remote = yield* sent({}).pipe(Effect.withSpan("test"))
      expect(remote.headers).not.toHaveProperty("traceparent")
      expect(remote.headers).not.toHaveProperty("b3")
      const local = yield* sent({ baseUrl: "http://127.0.0.1:8080" }).pipe(Effect.withSpan("test"))
      expect(local.url).toBe("http://127.0.0.1:8080/v2/rerank")
      expect(local.headers).toHaveProperty("traceparent")
    })
  )

  it.effect("a base URL with a path prefix keeps it", () =>
    Effect.gen(function* () {
      const call = yield* sent({ baseUrl: "https://gateway.example.com/cohere/" })
      expect(call.url).toBe("https://gateway.example.com/cohere/v2/rerank")
      const slashes = yield* sent({ baseUrl: "https://gateway.example.com/cohere///" })
      expect(slashes.url).toBe("https://gateway.example.com/cohere/v2/rerank")
    })
  )

  it("the User-Agent version is the package's", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(version).toBe(pkg.version)
  })
})

describeConformance("Cohere conformance responses", () => {
  const five = ["d0", "d1", "d2", "d3", "d4"]
  for (const [file, apiVersion] of [
    ["cohere/v2-rerank-200.json", "v2"],
    ["cohere/v1-rerank-200.json", "v1"]
  ] as const) {
    it.effect(`${file} decodes: best first, indices mapped, search units counted`, () =>
      Effect.gen(function* () {
        const body = readConformanceText(file)
        const client = Scripted.make([{ status: 200, body, headers: { "content-type": "application/json" } }])
        const layer = Cohere.layer({ apiKey: Redacted.make(key), apiVersion }).pipe(Layer.provide(client.layer))
        const result = yield* Reranker.rerank({ query: "q", documents: five, topN: 3 }).pipe(Effect.provide(layer))
        expect(result.results.map((r) => [r.index, r.document, r.score])).toEqual([
          [3, "d3", 0.999071],
          [4, "d4", 0.7867867],
          [0, "d0", 0.32713068]
        ])
        expect(result.usage).toEqual({
          searchUnits: 1,
          requests: 1,
          billed: { unit: "searchUnits", quantity: 1, source: "reported" },
          cost: 0.002
        })
        expect(client.calls[0].body.top_n).toBe(3)
      })
    )
  }

  it.effect("error-404.json gives InvalidRequestError with Cohere's message and id", () =>
    Effect.gen(function* () {
      const body = readConformanceText("cohere/error-404.json")
      const expected = JSON.parse(body)
      const client = Scripted.make([{ status: 404, body, headers: { "content-type": "application/json" } }])
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const error = yield* Reranker.rerank({ query: "q", documents: five }).pipe(Effect.provide(layer), Effect.flip)
      expect(error).toMatchObject({
        _tag: "InvalidRequestError",
        status: 404,
        requestId: expected.id,
        serverMessage: expected.message,
        attempts: 1
      })
    })
  )
})

describe("Cohere response decoding is loose", () => {
  it.effect("accepts missing id and meta, null fields, unknown keys, any api_version, and passes on warnings", () =>
    Effect.gen(function* () {
      const client = Scripted.make([
        Scripted.json(200, {
          id: null,
          results: [
            { index: 1, relevance_score: 0.2, extra: true },
            { index: 0, relevance_score: 0.8, document: { text: "alpha" } }
          ],
          meta: {
            api_version: { version: "2022-12-06", is_deprecated: true },
            billed_units: { search_units: 2 },
            warnings: ["model is deprecated"],
            something_new: 1
          },
          brand_new_field: "x"
        })
      ])
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const result = yield* Reranker.rerank({ query: "q", documents: ["alpha", "beta"] }).pipe(Effect.provide(layer))
      expect(result.results.map((r) => r.index)).toEqual([0, 1])
      expect(result.usage.searchUnits).toBe(2)
      expect(result.warnings).toEqual(["model is deprecated", "API version 2022-12-06 is deprecated"])
    })
  )

  it.effect("sorts results client-side when a compatible server returns input order", () =>
    Effect.gen(function* () {
      const client = Scripted.make([
        Scripted.json(200, {
          results: [
            { index: 0, relevance_score: 0.1 },
            { index: 1, relevance_score: 0.7 },
            { index: 2, relevance_score: 0.4 }
          ]
        })
      ])
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const result = yield* Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer))
      expect(result.results.map((r) => [r.rank, r.index])).toEqual([
        [1, 1],
        [2, 2],
        [3, 0]
      ])
      expect(result.usage.searchUnits).toBe(0)
    })
  )
})
