/**
 * Each provider module through the public API against scripted responses: its real bodies (fixtures/providers.ts)
 * decoded, its real error bodies mapped to the right tag, the exact request it sends, and what is special to it.
 */
import { type Billing, Reranker, type RerankError } from "@effect-rerank/core"
import {
  Bedrock,
  Contextual,
  HttpProvider,
  Jina,
  Mixedbread,
  Nim,
  OpenRouter,
  Pinecone,
  Tei,
  Together,
  Vertex,
  Vllm,
  Voyage,
  ZeroEntropy
} from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted, Schema, TestClock } from "effect"
import * as Fixtures from "./fixtures/providers.js"
import * as Scripted from "../../../test-utils/ScriptedClient.js"
import { recordingTracer } from "../../../test-utils/Spans.js"

const key = Redacted.make("sk-test-0123456789")
const documents = ["zero", "one", "two", "three", "four", "five"]
const query = "which one?"

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
}

type Name = keyof typeof Fixtures.responses

// Options as the tests vary them: each provider's own, loosely typed.
type Loose = Record<string, any>

const layers: Record<Name, (options: Loose) => Layer.Layer<Reranker.Reranker, unknown, any>> = {
  jina: (o) => Jina.layer({ apiKey: key, ...o }),
  voyage: (o) => Voyage.layer({ apiKey: key, ...o }),
  mixedbread: (o) => Mixedbread.layer({ apiKey: key, ...o }),
  pinecone: (o) => Pinecone.layer({ apiKey: key, ...o }),
  together: (o) => Together.layer({ apiKey: key, ...o }),
  tei: (o) => Tei.layer({ baseUrl: "https://tei.internal.example", ...o }),
  vllm: (o) => Vllm.layer({ baseUrl: "https://vllm.internal.example", ...o }),
  bedrock: (o) => Bedrock.layer({ region: "us-west-2", credentials, ...o }),
  nim: (o) => Nim.layer({ apiKey: key, ...o }),
  // An access token as the key; the token flows are Vertex.test.ts's.
  vertex: (o) => Vertex.layer({ apiKey: key, project: "my-project", ...o }),
  zeroentropy: (o) => ZeroEntropy.layer({ apiKey: key, ...o }),
  contextual: (o) => Contextual.layer({ apiKey: key, ...o }),
  openrouter: (o) => OpenRouter.layer({ apiKey: key, ...o })
}

const run = <A, E>(
  name: Name,
  script: ReadonlyArray<Scripted.Step> | Scripted.Answer,
  effect: Effect.Effect<A, E, Reranker.Reranker>,
  options: Record<string, unknown> = {}
) => {
  const scripted = Scripted.make(script)
  return Effect.map(
    effect.pipe(Effect.provide(layers[name](options).pipe(Layer.provide(scripted.layer), Layer.orDie))),
    (result) => ({ result, calls: scripted.calls })
  )
}

const expectedOrder: Record<Name, ReadonlyArray<readonly [number, number]>> = {
  jina: [
    [2, 0.98005307],
    [3, 0.27904198],
    [0, 0.10194652]
  ],
  voyage: [
    [2, 0.98005307],
    [3, 0.27904198],
    [0, 0.10194652]
  ],
  mixedbread: [
    [0, 0.98291015625],
    [2, 0.61962890625],
    [3, 0.3642578125]
  ],
  pinecone: [
    [2, 0.47654688],
    [0, 0.047963805],
    [3, 0.007587992],
    [1, 0.0006491712]
  ],
  together: [
    [0, 0.6475887154399037],
    [5, 0.6323295373206566]
  ],
  tei: [
    [1, 0.9976404],
    [0, 0.12527926]
  ],
  vllm: [
    [1, 0.99853515625],
    [0, 0.0005860328674316406]
  ],
  bedrock: [
    [0, 0.5110583305358887],
    [5, 0.30241215229034424]
  ],
  nim: [
    [0, -1.2421875],
    [3, -3.029296875],
    [2, -5.41015625]
  ],
  vertex: [
    [4, 0.93],
    [1, 0.52],
    [5, 0.0001]
  ],
  zeroentropy: [
    [5, 0.8814],
    [2, 0.4126],
    [0, 0.0207]
  ],
  contextual: [
    [3, 0.7211],
    [1, 0.1882]
  ],
  openrouter: [[0, 0.98]]
}

const expectedError: Record<
  Name,
  { readonly tag: RerankError.RerankError["_tag"]; readonly attempts: number; readonly message: string }
> = {
  jina: { tag: "AuthenticationError", attempts: 1, message: "Unauthorized: Invalid API key" },
  voyage: { tag: "RateLimitError", attempts: 4, message: "Rate limit exceeded. Please pace your requests." },
  mixedbread: { tag: "InvalidRequestError", attempts: 1, message: "Invalid model: unknown-model" },
  pinecone: {
    tag: "InvalidRequestError",
    attempts: 1,
    message: "Bad request. The request body included invalid request parameters."
  },
  together: { tag: "AuthenticationError", attempts: 1, message: "Invalid API key provided" },
  tei: { tag: "RateLimitError", attempts: 4, message: "Model is overloaded" },
  vllm: { tag: "InvalidRequestError", attempts: 1, message: "The model `nope` does not exist." },
  bedrock: { tag: "RateLimitError", attempts: 4, message: "Too many requests, please wait before trying again." },
  nim: { tag: "AuthenticationError", attempts: 1, message: "Authentication failed" },
  vertex: {
    tag: "RateLimitError",
    attempts: 4,
    message: "Quota exceeded for quota metric 'Rank requests' and limit 'Rank requests per minute'."
  },
  zeroentropy: { tag: "RateLimitError", attempts: 4, message: "Rate limit exceeded for latency mode fast" },
  contextual: { tag: "InvalidRequestError", attempts: 1, message: "Field required" },
  openrouter: {
    tag: "AuthenticationError",
    attempts: 1,
    message: "Insufficient credits. Add more using https://openrouter.ai/credits"
  }
}

describe("each provider's advice names its own variables and path", () => {
  const advice: Record<Name, { readonly key: ReadonlyArray<string>; readonly endpoint: ReadonlyArray<string> }> = {
    jina: { key: ["JINA_API_KEY"], endpoint: ["POST /v1/rerank", "JINA_BASE_URL"] },
    voyage: { key: ["VOYAGE_API_KEY"], endpoint: ["POST /v1/rerank", "VOYAGE_BASE_URL"] },
    mixedbread: { key: ["MXBAI_API_KEY"], endpoint: ["POST /v1/reranking", "MXBAI_BASE_URL"] },
    pinecone: { key: ["PINECONE_API_KEY"], endpoint: ["POST /rerank", "PINECONE_BASE_URL"] },
    together: { key: ["TOGETHER_API_KEY"], endpoint: ["POST /v1/rerank", "TOGETHER_BASE_URL"] },
    tei: { key: ["--api-key", "TEI_API_KEY"], endpoint: ["POST /rerank", "TEI_BASE_URL"] },
    vllm: { key: ["--api-key", "VLLM_API_KEY"], endpoint: ["POST /v2/rerank", "VLLM_BASE_URL"] },
    bedrock: {
      key: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"],
      endpoint: ["POST /rerank", "bedrock-agent-runtime.<region>.amazonaws.com", "AWS_REGION"]
    },
    nim: { key: ["NVIDIA_API_KEY"], endpoint: ["POST /v1/ranking", "NIM_BASE_URL", "/v1/retrieval/<model>/reranking"] },
    vertex: {
      key: ["GOOGLE_APPLICATION_CREDENTIALS", "gcloud auth application-default login", "GOOGLE_OAUTH_ACCESS_TOKEN"],
      endpoint: ["default_ranking_config:rank", "VERTEX_BASE_URL", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION"]
    },
    zeroentropy: { key: ["ZEROENTROPY_API_KEY"], endpoint: ["POST /v1/models/rerank", "ZEROENTROPY_BASE_URL"] },
    contextual: { key: ["CONTEXTUAL_API_KEY"], endpoint: ["POST /v1/rerank", "CONTEXTUAL_BASE_URL"] },
    openrouter: { key: ["OPENROUTER_API_KEY"], endpoint: ["POST /api/v1/rerank", "OPENROUTER_BASE_URL"] }
  }
  for (const name of Object.keys(advice) as Array<Name>) {
    it.effect(`${name}: a rejected key and a 404 say where to look`, () =>
      Effect.gen(function* () {
        const hintFor = (status: number) =>
          Effect.map(
            run(name, [Scripted.json(status, { message: "no" })], Effect.flip(Reranker.rerank({ query, documents }))),
            ({ result }) => result.hint ?? ""
          )
        const key = yield* hintFor(401)
        for (const part of advice[name].key) expect(key).toContain(part)
        const endpoint = yield* hintFor(404)
        for (const part of advice[name].endpoint) expect(endpoint).toContain(part)
      })
    )
  }
})

describe("each provider's system name: what spans (gen_ai.system) and quota names carry", () => {
  it.effect("jina, voyage, mixedbread, pinecone, together, tei, vllm, aws.bedrock and the five added since", () =>
    Effect.gen(function* () {
      const systems: Array<string> = []
      for (const name of Object.keys(layers) as Array<Name>) {
        const { spans, tracer } = yield* recordingTracer
        yield* run(
          name,
          [Scripted.json(200, Fixtures.responses[name].body)],
          Reranker.rerank({ query, documents }).pipe(Effect.withTracer(tracer))
        )
        systems.push(String(spans.find((s) => s.name === "Reranker.rerank")?.attributes.get("gen_ai.system")))
      }
      expect(systems).toEqual([
        "jina",
        "voyage",
        "mixedbread",
        "pinecone",
        "together",
        "tei",
        "vllm",
        "aws.bedrock",
        "nvidia.nim",
        "gcp.vertex_ai",
        "zeroentropy",
        "contextual",
        "openrouter"
      ])
    })
  )
})

/** What each real body bills, as the provider reports it or by its published rule (6 documents sent). */
const expectedBilled: Record<Name, Billing.Billed | undefined> = {
  jina: { unit: "tokens", quantity: 15, source: "reported" },
  voyage: { unit: "tokens", quantity: 15, source: "reported" },
  mixedbread: { unit: "tokens", quantity: 162, source: "reported" },
  pinecone: { unit: "rerankUnits", quantity: 1, source: "reported" },
  together: { unit: "tokens", quantity: 2966, source: "reported" },
  // TEI reports nothing and bills nothing: no unit.
  tei: undefined,
  vllm: { unit: "tokens", quantity: 56, source: "reported" },
  // Bedrock says nothing: a query per 100 documents, its published rule.
  bedrock: { unit: "queries", quantity: 1, source: "computed" },
  // A self-hosted NIM reports nothing.
  nim: undefined,
  // Vertex says nothing: a query per 100 records, its published rule.
  vertex: { unit: "queries", quantity: 1, source: "computed" },
  zeroentropy: { unit: "tokens", quantity: 211, source: "reported" },
  // Contextual bills tokens but reports none.
  contextual: undefined,
  openrouter: { unit: "searchUnits", quantity: 1, source: "reported" }
}

/** The cost of each real body: at the provider's default prices where it publishes them (ZeroEntropy, Vertex). */
const expectedCost: Partial<Record<Name, number>> = {
  vertex: 1 / 1000,
  zeroentropy: (211 * 0.025) / 1_000_000
}

describe("each provider decodes its real response and error bodies", () => {
  for (const name of Object.keys(Fixtures.responses) as Array<Name>) {
    const response = Fixtures.responses[name]
    it.effect(`${name}: ${response.source.slice(0, 60)}...`, () =>
      Effect.gen(function* () {
        const { result } = yield* run(
          name,
          [Scripted.json(response.status, response.body)],
          Reranker.rerank({ query, documents })
        )
        expect(result.results.map((r) => [r.index, r.score])).toEqual(expectedOrder[name])
        expect(result.results.map((r) => r.rank)).toEqual(expectedOrder[name].map((_, i) => i + 1))
        expect(result.results[0].document).toBe(documents[expectedOrder[name][0][0]])
        expect(result.usage.billed).toEqual(expectedBilled[name])
        // Without default prices, a cost needs the caller's `prices`.
        if (expectedCost[name] === undefined) expect(result.usage.cost).toBeUndefined()
        else expect(result.usage.cost).toBeCloseTo(expectedCost[name], 12)
      })
    )

    const error = Fixtures.errors[name]
    it.effect(`${name}: a real ${error.status} error body is ${expectedError[name].tag}`, () =>
      Effect.gen(function* () {
        const fiber = yield* run(
          name,
          [Scripted.json(error.status, error.body, "headers" in error ? error.headers : {})],
          Effect.flip(Reranker.rerank({ query, documents }))
        ).pipe(Effect.fork)
        yield* TestClock.adjust("5 minutes")
        const { calls, result } = yield* fiber.await.pipe(Effect.flatten)
        expect(result._tag).toBe(expectedError[name].tag)
        expect(result.attempts).toBe(expectedError[name].attempts)
        expect(calls.length).toBe(expectedError[name].attempts)
        expect("serverMessage" in result && result.serverMessage).toBe(expectedError[name].message)
        expect("status" in result && result.status).toBe(error.status)
      })
    )
  }
})

const sent = (name: Name, options: Record<string, unknown>, topN?: number) =>
  Effect.map(
    run(
      name,
      [Scripted.json(200, Fixtures.responses[name].body)],
      Reranker.rerank({ query, documents, ...(topN === undefined ? {} : { topN }) }),
      options
    ),
    ({ calls }) => calls[0]
  )

describe("the request each provider sends: its own field names, only what was set", () => {
  it.effect("Jina: POST /v1/rerank with top_n and return_documents only when set", () =>
    Effect.gen(function* () {
      const bare = yield* sent("jina", {})
      expect(bare.url).toBe("https://api.jina.ai/v1/rerank")
      expect(bare.headers.authorization).toBe("Bearer sk-test-0123456789")
      expect(bare.body).toEqual({ model: "jina-reranker-v2-base-multilingual", query, documents })
      const full = yield* sent("jina", { returnDocuments: false, model: "jina-reranker-v3" }, 2)
      expect(full.body).toEqual({ model: "jina-reranker-v3", query, documents, top_n: 2, return_documents: false })
    })
  )

  it.effect("Voyage: POST /v1/rerank with top_k, truncation and return_documents", () =>
    Effect.gen(function* () {
      const bare = yield* sent("voyage", {})
      expect(bare.url).toBe("https://api.voyageai.com/v1/rerank")
      expect(bare.body).toEqual({ query, documents, model: "rerank-2.5" })
      const full = yield* sent("voyage", { truncation: false, returnDocuments: true }, 2)
      expect(full.body).toEqual({
        query,
        documents,
        model: "rerank-2.5",
        top_k: 2,
        return_documents: true,
        truncation: false
      })
    })
  )

  it.effect("Mixedbread: POST /v1/reranking with input and top_k", () =>
    Effect.gen(function* () {
      const full = yield* sent("mixedbread", { returnInput: false }, 3)
      expect(full.url).toBe("https://api.mixedbread.com/v1/reranking")
      expect(full.body).toEqual({
        model: "mixedbread-ai/mxbai-rerank-large-v2",
        query,
        input: documents,
        top_k: 3,
        return_input: false
      })
    })
  )

  it.effect("Pinecone: Api-Key and X-Pinecone-API-Version headers (no bearer), documents as {text}, truncate", () =>
    Effect.gen(function* () {
      const call = yield* sent("pinecone", { truncate: "NONE" }, 2)
      expect(call.url).toBe("https://api.pinecone.io/rerank")
      expect(call.headers["api-key"]).toBe("sk-test-0123456789")
      expect(call.headers.authorization).toBeUndefined()
      expect(call.headers["x-pinecone-api-version"]).toBe("2025-04")
      expect(call.body).toEqual({
        model: "bge-reranker-v2-m3",
        query,
        documents: documents.map((text) => ({ text })),
        top_n: 2,
        parameters: { truncate: "NONE" }
      })
      const bare = yield* sent("pinecone", { returnDocuments: false })
      expect(bare.body).toEqual({
        model: "bge-reranker-v2-m3",
        query,
        documents: documents.map((text) => ({ text })),
        return_documents: false
      })
    })
  )

  it.effect("Together: POST /v1/rerank, Cohere-like", () =>
    Effect.gen(function* () {
      const call = yield* sent("together", {}, 2)
      expect(call.url).toBe("https://api.together.xyz/v1/rerank")
      expect(call.body).toEqual({ model: "Salesforce/Llama-Rank-V1", query, documents, top_n: 2 })
      const asked = yield* sent("together", { returnDocuments: false })
      expect(asked.body).toEqual({ model: "Salesforce/Llama-Rank-V1", query, documents, return_documents: false })
    })
  )

  it.effect("TEI: POST /rerank with texts, no model, no key unless given; raw_scores and truncation when set", () =>
    Effect.gen(function* () {
      const bare = yield* sent("tei", {})
      expect(bare.url).toBe("https://tei.internal.example/rerank")
      // Keyless too, trailing slashes never double the path's.
      const slashes = yield* sent("tei", { baseUrl: "http://127.0.0.1:8081//" })
      expect(slashes.url).toBe("http://127.0.0.1:8081/rerank")
      expect(bare.headers.authorization).toBeUndefined()
      expect(bare.body).toEqual({ query, texts: documents })
      const full = yield* sent("tei", { apiKey: key, truncate: true, truncationDirection: "Left", rawScores: true })
      expect(full.headers.authorization).toBe("Bearer sk-test-0123456789")
      expect(full.body).toEqual({
        query,
        texts: documents,
        truncate: true,
        truncation_direction: "Left",
        raw_scores: true
      })
    })
  )

  it.effect("vLLM: POST /v2/rerank; the model only when one is configured", () =>
    Effect.gen(function* () {
      const bare = yield* sent("vllm", {})
      expect(bare.url).toBe("https://vllm.internal.example/v2/rerank")
      expect(bare.body).toEqual({ query, documents })
      const full = yield* sent("vllm", { model: "BAAI/bge-reranker-base", truncatePromptTokens: 256 }, 2)
      expect(full.body).toEqual({
        model: "BAAI/bge-reranker-base",
        query,
        documents,
        top_n: 2,
        truncate_prompt_tokens: 256
      })
    })
  )

  it.effect("Bedrock: the regional Agent Runtime, the model's ARN, every result asked for, a SigV4 signature", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-26T10:00:00Z"))
      const call = yield* sent("bedrock", {})
      expect(call.url).toBe("https://bedrock-agent-runtime.us-west-2.amazonaws.com/rerank")
      expect(call.body).toEqual({
        queries: [{ type: "TEXT", textQuery: { text: query } }],
        sources: documents.map((text) => ({
          type: "INLINE",
          inlineDocumentSource: { type: "TEXT", textDocument: { text } }
        })),
        rerankingConfiguration: {
          type: "BEDROCK_RERANKING_MODEL",
          bedrockRerankingConfiguration: {
            numberOfResults: documents.length,
            modelConfiguration: { modelArn: "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0" }
          }
        }
      })
      expect(call.headers["x-amz-date"]).toBe("20261126T100000Z")
      expect(call.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261126\/us-west-2\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-date, Signature=[0-9a-f]{64}$/
      )
      // The secret never travels.
      expect(JSON.stringify(call)).not.toContain("wJalrXUtnFEMI")
    })
  )

  it.effect("Bedrock: what is signed: host and the request's own headers, never those that change on the way", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recordingTracer
      const signedOf = (options: Loose) =>
        Effect.map(
          run(
            "bedrock",
            [Scripted.json(200, Fixtures.responses.bedrock.body)],
            Reranker.rerank({ query, documents }).pipe(Effect.withTracer(tracer)),
            // Loopback: trace headers (traceparent, b3) are sent, and must not be signed.
            { baseUrl: "http://127.0.0.1:4566", ...options }
          ),
          ({ calls }) => ({
            headers: calls[0].headers,
            signed: /SignedHeaders=([^,]+),/.exec(calls[0].headers.authorization)?.[1].split(";") ?? []
          })
        )
      const plain = yield* signedOf({})
      expect(spans.length).toBeGreaterThan(0)
      expect(plain.headers.traceparent).toBeDefined()
      expect(plain.signed).toEqual(["accept", "host", "x-amz-date"])
      for (const never of ["user-agent", "traceparent", "tracestate", "b3", "x-amzn-trace-id", "content-length"]) {
        expect(plain.signed).not.toContain(never)
      }
      expect(plain.headers["x-amz-security-token"]).toBeUndefined()
      const temporary = yield* signedOf({
        credentials: { ...credentials, sessionToken: Redacted.make("session-token-123") }
      })
      expect(temporary.headers["x-amz-security-token"]).toBe("session-token-123")
      expect(temporary.signed).toEqual(["accept", "host", "x-amz-date", "x-amz-security-token"])
    })
  )

  it.effect("Bedrock: each retry is signed anew at its own time", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-26T10:00:00Z"))
      const scripted = Scripted.make([
        Scripted.json(503, { message: "busy" }, { "x-amzn-errortype": "ServiceUnavailableException" }),
        Scripted.json(200, Fixtures.responses.bedrock.body)
      ])
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(
          layers
            .bedrock({ retry: { base: "3 seconds", cap: "3 seconds" } })
            .pipe(Layer.provide(scripted.layer), Layer.orDie)
        ),
        Effect.fork
      )
      yield* TestClock.adjust("10 seconds")
      yield* fiber.await
      expect(scripted.calls.length).toBe(2)
      expect(scripted.calls[0].headers["x-amz-date"]).toBe("20261126T100000Z")
      expect(scripted.calls[1].headers["x-amz-date"]).not.toBe("20261126T100000Z")
      expect(scripted.calls[1].headers.authorization).not.toBe(scripted.calls[0].headers.authorization)
    })
  )
})

const failWith = (name: Name, step: Scripted.Step, options: Record<string, unknown> = {}) =>
  Effect.gen(function* () {
    const fiber = yield* run(name, [step], Effect.flip(Reranker.rerank({ query, documents })), options).pipe(
      Effect.fork
    )
    yield* TestClock.adjust("10 minutes")
    return yield* fiber.await.pipe(Effect.flatten)
  })

describe("what is special to each provider", () => {
  it.effect("Jina: an exhausted balance comes as 403 and is billing, not a forbidden key", () =>
    Effect.gen(function* () {
      const { result } = yield* failWith(
        "jina",
        Scripted.json(403, { detail: "Insufficient balance. Please top up your account." })
      )
      expect(result._tag).toBe("AuthenticationError")
      if (result._tag === "AuthenticationError") expect(result.reason).toBe("billing")
      const other = yield* failWith("jina", Scripted.json(403, { detail: "Forbidden" }))
      expect(other.result._tag === "AuthenticationError" && other.result.reason).toBe("forbidden")
      const topup = yield* failWith("jina", Scripted.json(403, { detail: "Please topup to continue" }))
      expect(topup.result._tag === "AuthenticationError" && topup.result.reason).toBe("billing")
      // Only a 403: a rejected key that mentions credit is still a rejected key.
      const key = yield* failWith("jina", Scripted.json(401, { detail: "Invalid API key or no credit" }))
      expect(key.result._tag === "AuthenticationError" && key.result.reason).toBe("invalid-key")
    })
  )

  it.effect("Jina: FastAPI's 422 list of issues becomes one message; the key advice names JINA_API_KEY", () =>
    Effect.gen(function* () {
      const { result } = yield* failWith(
        "jina",
        Scripted.json(422, { detail: [{ loc: ["body", "query"], msg: "field required", type: "value_error.missing" }] })
      )
      expect(result._tag).toBe("InvalidRequestError")
      expect("serverMessage" in result && result.serverMessage).toBe("field required")
      const auth = yield* failWith("jina", Scripted.json(401, { detail: "Unauthorized" }))
      expect(auth.result.hint).toContain("JINA_API_KEY")
    })
  )

  for (const [status, version] of [
    [413, "before v1.9"],
    [422, "since v1.9"]
  ] as const) {
    it.effect(`TEI: over its batch size (${status}, ${version}) is a PayloadLimitError in documents`, () =>
      Effect.gen(function* () {
        const { result } = yield* failWith(
          "tei",
          Scripted.json(status, { error: "batch size 6 > maximum allowed batch size 4", error_type: "Validation" })
        )
        expect(result._tag).toBe("PayloadLimitError")
        if (result._tag === "PayloadLimitError") {
          expect([result.limit, result.actual, result.unit]).toEqual([4, 6, "documents"])
        }
        expect(result.attempts).toBe(1)
      })
    )
  }

  it.effect("TEI: the batch size read whatever its digits; only a 413 or 422 saying so is a payload limit", () =>
    Effect.gen(function* () {
      const message = { error: "batch size 64 > maximum allowed batch size 32", error_type: "Validation" }
      const over = yield* failWith("tei", Scripted.json(422, message))
      expect(over.result._tag === "PayloadLimitError" && [over.result.limit, over.result.actual]).toEqual([32, 6])
      const other = yield* failWith("tei", Scripted.json(400, message))
      expect(other.result._tag).toBe("InvalidRequestError")
    })
  )

  it.effect("vLLM: truncatePromptTokens is an integer >= 1", () =>
    Effect.gen(function* () {
      const refused = (truncatePromptTokens: number) =>
        Scripted.refusal(Vllm.make({ baseUrl: "https://v.example", truncatePromptTokens }))
      expect(yield* refused(1)).toBe("accepted")
      expect(yield* refused(0)).toBe('(Invalid data at truncatePromptTokens: "must be an integer >= 1, got 0")')
      expect(yield* refused(2.5)).toBe('(Invalid data at truncatePromptTokens: "must be an integer >= 1, got 2.5")')
    })
  )

  it.effect(
    "TEI: a 424 (inference failed) is a ServiceError, not retried; a 401 with an empty body is invalid-key",
    () =>
      Effect.gen(function* () {
        const backend = yield* failWith("tei", Scripted.json(424, { error: "Inference failed", error_type: "Backend" }))
        expect(backend.result._tag).toBe("ServiceError")
        expect(backend.calls.length).toBe(1)
        const auth = yield* failWith("tei", { status: 401 })
        expect(auth.result._tag === "AuthenticationError" && auth.result.reason).toBe("invalid-key")
        expect(auth.result.hint).toContain("TEI_API_KEY")
      })
  )

  it.effect("TEI: raw logits with scores: sigmoid come back in (0, 1), same order; ties broken by input index", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        "tei",
        // TEI lists tied scores in reverse input order; the core's rule decides, not the server's.
        [
          Scripted.json(200, [
            { index: 2, score: 3.5 },
            { index: 4, score: -1.25 },
            { index: 1, score: -1.25 },
            { index: 0, score: -4 }
          ])
        ],
        Reranker.rerank({ query, documents: documents.slice(0, 5) }),
        { rawScores: true, scores: "sigmoid" }
      )
      expect(result.results.map((r) => r.index)).toEqual([2, 1, 4, 0])
      expect(result.results[0].score).toBeCloseTo(1 / (1 + Math.exp(-3.5)), 12)
      for (const r of result.results) expect(r.score > 0 && r.score < 1).toBe(true)
    })
  )

  it.effect("vLLM: both error envelopes, nested (current) and flat (older), read the same", () =>
    Effect.gen(function* () {
      const nested = yield* failWith(
        "vllm",
        Scripted.json(400, {
          error: { message: "top_n must be positive", type: "BadRequestError", param: null, code: 400 }
        })
      )
      const flat = yield* failWith(
        "vllm",
        Scripted.json(400, {
          object: "error",
          message: "top_n must be positive",
          type: "BadRequestError",
          param: null,
          code: 400
        })
      )
      for (const { result } of [nested, flat]) {
        expect(result._tag).toBe("InvalidRequestError")
        expect("serverMessage" in result && result.serverMessage).toBe("top_n must be positive")
      }
    })
  )

  it.effect(
    "Pinecone: batches at the model's own limit (cohere-rerank-3.5: 200 a request, bge-reranker-v2-m3: 100)",
    () =>
      Effect.gen(function* () {
        const many = Array.from({ length: 450 }, (_, i) => `document ${i}`)
        const answer: Scripted.Answer = (body) =>
          Scripted.json(200, {
            model: body.model,
            data: body.documents.map((_: unknown, index: number) => ({ index, score: 1 - index / 1000 })),
            usage: { rerank_units: 1 }
          })
        const cohere = yield* run("pinecone", answer, Reranker.rerank({ query, documents: many }), {
          model: "cohere-rerank-3.5"
        })
        // Windows are even: 450 at 200 a request is 3 windows of 150.
        expect(cohere.calls.map((c) => c.body.documents.length)).toEqual([150, 150, 150])
        // Rerank units as Pinecone reports them (also counted as search units); no default price.
        expect(cohere.result.usage).toEqual({
          searchUnits: 3,
          requests: 3,
          billed: { unit: "rerankUnits", quantity: 3, source: "reported" }
        })
        const bge = yield* run("pinecone", answer, Reranker.rerank({ query, documents: many }))
        expect(bge.calls.length).toBe(5)
      })
  )

  it.effect("Pinecone: RESOURCE_EXHAUSTED 429 with Retry-After is a RateLimitError carrying it", () =>
    Effect.gen(function* () {
      const { result } = yield* failWith(
        "pinecone",
        Scripted.json(
          429,
          { error: { code: "RESOURCE_EXHAUSTED", message: "Request rate limit exceeded" }, status: 429 },
          { "retry-after": "60" }
        ),
        { retry: { maxRetries: 0 } }
      )
      expect(result._tag).toBe("RateLimitError")
      if (result._tag === "RateLimitError")
        expect(Option.map(result.retryAfter, (d) => d.toJSON())).toEqual(
          Option.some({ _id: "Duration", _tag: "Millis", millis: 60000 })
        )
    })
  )

  const bedrockError = (status: number, type: string, message: string) =>
    Scripted.json(
      status,
      { message },
      { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }
    )

  it.effect("Bedrock: exception names decide, not only the status", () =>
    Effect.gen(function* () {
      const quota = yield* failWith("bedrock", bedrockError(400, "ServiceQuotaExceededException", "quota exceeded"), {
        retry: { maxRetries: 0 }
      })
      expect(quota.result._tag).toBe("RateLimitError")
      const access = yield* failWith(
        "bedrock",
        bedrockError(
          400,
          "ValidationException",
          "Operation not allowed: status code 403, You don't have access to the model"
        )
      )
      expect(access.result._tag === "AuthenticationError" && access.result.reason).toBe("forbidden")
      const validation = yield* failWith(
        "bedrock",
        bedrockError(400, "ValidationException", "numberOfResults must be <= 1000")
      )
      expect(validation.result._tag).toBe("InvalidRequestError")
      const denied = yield* failWith("bedrock", bedrockError(403, "AccessDeniedException", "not authorized"))
      expect(denied.result._tag === "AuthenticationError" && denied.result.reason).toBe("forbidden")
      const signature = yield* failWith("bedrock", bedrockError(403, "InvalidSignatureException", "signature mismatch"))
      expect(signature.result._tag === "AuthenticationError" && signature.result.reason).toBe("invalid-key")
      expect(signature.result.hint).toContain("AWS_ACCESS_KEY_ID")
      const notReady = yield* failWith("bedrock", bedrockError(429, "ModelNotReadyException", "warming up"), {
        retry: { maxRetries: 0 }
      })
      // "Not ready to serve inference requests": retried as a 503.
      expect(notReady.result._tag === "ServiceError" && notReady.result.status).toBe(503)
    })
  )

  it.effect("Bedrock: each exception name's kind, from x-amzn-ErrorType or the body's __type", () =>
    Effect.gen(function* () {
      const kinds: ReadonlyArray<readonly [number, string, string]> = [
        [400, "ThrottlingException", "RateLimitError"],
        [400, "TooManyRequestsException", "RateLimitError"],
        [403, "UnrecognizedClientException", "AuthenticationError:invalid-key"],
        [403, "IncompleteSignature", "AuthenticationError:invalid-key"],
        [403, "IncompleteSignatureException", "AuthenticationError:invalid-key"],
        [403, "MissingAuthenticationTokenException", "AuthenticationError:invalid-key"],
        [403, "ExpiredTokenException", "AuthenticationError:invalid-key"],
        [403, "InvalidClientTokenId", "AuthenticationError:invalid-key"],
        [400, "AccessDeniedException", "AuthenticationError:forbidden"],
        [500, "ServiceUnavailableException", "ServiceError:503"],
        // The access rule is for a 400 ValidationException's wording only: a 422 that says so is what its status
        // says, and so is another exception's 400.
        [422, "ValidationException", "InvalidRequestError"],
        [400, "ResourceNotFoundException", "InvalidRequestError"]
      ]
      const seen: Array<string> = []
      for (const [status, type] of kinds) {
        const message = "You don't have access to the model"
        const { result } = yield* failWith("bedrock", bedrockError(status, type, message), { retry: { maxRetries: 0 } })
        seen.push(
          result._tag === "AuthenticationError"
            ? `${result._tag}:${result.reason}`
            : result._tag === "ServiceError"
              ? `${result._tag}:${result.status}`
              : result._tag
        )
      }
      expect(seen).toEqual(kinds.map(([, , kind]) => kind))
      // The body's __type (com.amazon.coral.service#Name), and a body that is JSON null with the header.
      const typed = yield* failWith(
        "bedrock",
        Scripted.json(400, { __type: "com.amazon.coral.service#ThrottlingException", Message: "slow down" }),
        { retry: { maxRetries: 0 } }
      )
      expect([typed.result._tag, typed.result.serverMessage]).toEqual(["RateLimitError", "slow down"])
      const nullBody = yield* failWith(
        "bedrock",
        Scripted.json(400, null, { "x-amzn-errortype": "ThrottlingException" }),
        { retry: { maxRetries: 0 } }
      )
      expect(nullBody.result._tag).toBe("RateLimitError")
    })
  )

  it.effect("Bedrock: a full model ARN is used as given; extra model fields sent only when set", () =>
    Effect.gen(function* () {
      const arn = "arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abc123"
      const given = yield* sent("bedrock", { model: arn, additionalModelRequestFields: { truncate: "END" } })
      expect(given.body.rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration).toEqual({
        modelArn: arn,
        additionalModelRequestFields: { truncate: "END" }
      })
      const plain = yield* sent("bedrock", { model: "cohere.rerank-v3-5:0" })
      expect(plain.body.rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration).toEqual({
        modelArn: "arn:aws:bedrock:us-west-2::foundation-model/cohere.rerank-v3-5:0"
      })
    })
  )

  it.effect("Bedrock: a nextToken in the answer is said in a warning; null or absent is not", () =>
    Effect.gen(function* () {
      const body = Fixtures.responses.bedrock.body
      const paged = yield* run(
        "bedrock",
        [Scripted.json(200, { ...body, nextToken: "abc" })],
        // The recorded answer is for the top 2.
        Reranker.rerank({ query, documents, topN: 2 })
      )
      expect(paged.result.warnings).toEqual(["Bedrock returned a nextToken: results past it were not fetched"])
      const done = yield* run(
        "bedrock",
        [Scripted.json(200, { ...body, nextToken: null })],
        Reranker.rerank({ query, documents, topN: 2 })
      )
      expect(done.result.warnings).toEqual([])
    })
  )

  it.effect("Bedrock: regions are checked by their shape", () =>
    Effect.gen(function* () {
      const region = (value: string) => Scripted.refusal(Bedrock.make({ region: value, credentials }))
      for (const good of ["us-west-2", "us-gov-west-1", "ap-southeast-12", "eu-central-1"]) {
        expect(yield* region(good)).toBe("accepted")
      }
      for (const bad of ["us-west", "US-WEST-2", "Xus-west-2", "us-west-2 ", "us-west-2a", "u-west-2"]) {
        expect(yield* region(bad)).toBe(
          `(Invalid data at region: "must be an AWS region such as us-west-2, got ${bad}")`
        )
      }
      // The protocol's own check, for a base URL given directly.
      const direct = yield* Scripted.refusal(
        HttpProvider.make(Bedrock.protocol, { region: "moon", credentials, baseUrl: "https://bedrock.example" })
      )
      expect(direct).toBe('(Invalid data at region: "must be an AWS region such as us-west-2, got moon")')
    })
  )

  it.effect(
    "Bedrock: the request id comes from x-amzn-RequestId; the AWS secret is scrubbed from anything echoed",
    () =>
      Effect.gen(function* () {
        const { result } = yield* failWith(
          "bedrock",
          Scripted.json(
            400,
            { message: "bad secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
            { "x-amzn-errortype": "ValidationException", "x-amzn-requestid": "req-42" }
          )
        )
        expect(result.requestId).toBe("req-42")
        expect(JSON.stringify(result)).not.toContain("wJalrXUtnFEMI")
      })
  )
})

describe("options are checked when the layer is built, naming the option", () => {
  const configError = (layer: Layer.Layer<Reranker.Reranker, unknown, any>) =>
    Effect.flip(Layer.build(layer.pipe(Layer.provide(Scripted.make([]).layer))).pipe(Effect.scoped))

  it.effect("self-hosted servers need a base URL; Bedrock a region and credentials; scores raw or sigmoid", () =>
    Effect.gen(function* () {
      expect(String(yield* configError(Tei.layer({})))).toContain("baseUrl")
      expect(
        String(yield* configError(Vllm.layer({ baseUrl: "https://v.example", truncatePromptTokens: 0 })))
      ).toContain("truncatePromptTokens")
      expect(String(yield* configError(Bedrock.layer({ region: "US West", credentials })))).toContain("region")
      expect(String(yield* configError(Bedrock.layer({ region: "us-west-2" })))).toContain("credentials")
      expect(String(yield* configError(Jina.layer({ apiKey: key, scores: "softmax" as "sigmoid" })))).toContain(
        "scores"
      )
      expect(String(yield* configError(Voyage.layer({ apiKey: key, baseUrl: "http://api.example.com" })))).toContain(
        "refusing to send the API key in clear"
      )
    })
  )
})

describe("the exported wire schemas, for users who read a provider's bodies themselves", () => {
  it("TEI's error body: error and error_type, either of them null or absent", () => {
    const decode = Schema.decodeUnknownSync(Tei.ErrorBody)
    expect(decode({ error: "Batch size error", error_type: "Validation" })).toEqual({
      error: "Batch size error",
      errorType: "Validation"
    })
    expect(decode({ error: null })).toEqual({})
  })
})

describe("billing by the published rule where the response says nothing", () => {
  it.effect("Bedrock: 250 documents are 3 queries (up to 100 each), priced by the caller", () =>
    Effect.gen(function* () {
      const many = Array.from({ length: 250 }, (_, i) => `document ${i}`)
      const { result } = yield* run(
        "bedrock",
        (body) =>
          Scripted.json(200, {
            results: body.sources.map((_: unknown, index: number) => ({ index, relevanceScore: 1 - index / 1000 }))
          }),
        Reranker.rerank({ query, documents: many }),
        { prices: { "*": { unit: "queries", usd: 1, per: 1000 } } }
      )
      expect(result.usage.billed).toEqual({ unit: "queries", quantity: 3, source: "computed" })
      expect(result.usage.cost).toBeCloseTo(0.003, 12)
    })
  )

  it.effect("Pinecone without usage: a rerank unit per 100 documents, computed", () =>
    Effect.gen(function* () {
      const { result } = yield* run(
        "pinecone",
        (body) =>
          Scripted.json(200, {
            model: body.model,
            data: body.documents.map((_: unknown, index: number) => ({ index, score: 1 - index / 10 }))
          }),
        Reranker.rerank({ query, documents })
      )
      expect(result.usage.billed).toEqual({ unit: "rerankUnits", quantity: 1, source: "computed" })
    })
  )
})

describe("scores that say what they are", () => {
  const teiAnswer = Scripted.json(200, [
    { index: 1, score: 2 },
    { index: 0, score: -1 }
  ])

  it.effect(
    "TEI: probabilities by default, logits with rawScores; scores: 'probability' maps logits through the sigmoid",
    () =>
      Effect.gen(function* () {
        const plain = yield* run("tei", [teiAnswer], Reranker.rerank({ query, documents: documents.slice(0, 2) }))
        expect(plain.result.scoreKind).toBe("probability")
        const raw = yield* run("tei", [teiAnswer], Reranker.rerank({ query, documents: documents.slice(0, 2) }), {
          rawScores: true
        })
        expect(raw.result.scoreKind).toBe("logit")
        expect(raw.result.results.map((r) => r.score)).toEqual([2, -1])
        const mapped = yield* run("tei", [teiAnswer], Reranker.rerank({ query, documents: documents.slice(0, 2) }), {
          rawScores: true,
          scores: "probability"
        })
        expect(mapped.result.scoreKind).toBe("probability")
        expect(mapped.result.results.map((r) => r.score)).toEqual([HttpProvider.sigmoid(2), HttpProvider.sigmoid(-1)])
        // Already probabilities: left as they are.
        const kept = yield* run("tei", [teiAnswer], Reranker.rerank({ query, documents: documents.slice(0, 2) }), {
          scores: "probability"
        })
        expect(kept.result.results.map((r) => r.score)).toEqual([2, -1])
      })
  )

  it.effect("a provider with no documented range: scores 'probability' is refused as a guess, naming it", () =>
    Effect.gen(function* () {
      const built = yield* Effect.flip(
        Reranker.Reranker.pipe(
          Effect.provide(
            Jina.layer({ apiKey: key, scores: "probability" }).pipe(Layer.provide(Scripted.make([]).layer))
          )
        )
      )
      expect(String(built)).toContain("scores")
      expect(String(built)).toContain("jina's jina-reranker-v2-base-multilingual")
      expect(String(built)).toContain("would be a guess")
      // Forced by the caller who knows the model: taken as probabilities from then on.
      const forced = yield* run(
        "jina",
        [Scripted.json(200, Fixtures.responses.jina.body)],
        Reranker.rerank({ query, documents }),
        { scores: "sigmoid" }
      )
      expect(forced.result.scoreKind).toBe("probability")
      const plain = yield* run(
        "jina",
        [Scripted.json(200, Fixtures.responses.jina.body)],
        Reranker.rerank({ query, documents })
      )
      expect(plain.result.scoreKind).toBe("unbounded")
    })
  )

  it.effect("minScore is checked on the kind: a probability threshold outside [0, 1] is an InvalidRequestError", () =>
    Effect.gen(function* () {
      const { calls, result } = yield* run(
        "tei",
        [teiAnswer],
        Effect.flip(Reranker.rerank({ query, documents: documents.slice(0, 2), minScore: 1.5 }))
      )
      expect(result).toMatchObject({ _tag: "InvalidRequestError", field: "minScore", attempts: 0 })
      expect(result.message).toContain("scores are probabilities, got 1.5")
      expect(calls).toHaveLength(0)
      // On a logit scale any threshold is meaningful.
      const logits = yield* run(
        "tei",
        [teiAnswer],
        Reranker.rerank({ query, documents: documents.slice(0, 2), minScore: 1.5 }),
        { rawScores: true }
      )
      expect(logits.result.results.map((r) => r.index)).toEqual([1])
    })
  )
})

describe("instructions per provider", () => {
  it.effect("Voyage rerank-2.5 and -lite read it ahead of the query; older models refuse it; Cohere refuses it", () =>
    Effect.gen(function* () {
      const body = Scripted.json(200, Fixtures.responses.voyage.body)
      for (const model of ["rerank-2.5", "rerank-2.5-lite"]) {
        const { calls } = yield* run(
          "voyage",
          [body],
          Reranker.rerank({ query, documents, instruction: "Prefer recent sources" }),
          {
            model
          }
        )
        expect(calls[0].body.query).toBe(`Prefer recent sources\n${query}`)
        expect(calls[0].body.instruction).toBeUndefined()
      }
      const older = yield* run(
        "voyage",
        [body],
        Effect.flip(Reranker.rerank({ query, documents, instruction: "Prefer recent sources" })),
        { model: "rerank-2" }
      )
      expect(older.result).toMatchObject({ _tag: "InvalidRequestError", field: "instruction" })
      expect(older.result.message).toContain("voyage's rerank-2 takes no instruction")
      expect(older.calls).toHaveLength(0)
      const forced = yield* run("voyage", [body], Reranker.rerank({ query, documents, instruction: "Be strict" }), {
        model: "rerank-2",
        instructionMode: "prepend"
      })
      expect(forced.calls[0].body.query).toBe(`Be strict\n${query}`)
    })
  )
})

describe("fields, encoded the way each provider takes them", () => {
  const items = [
    { sku: "a1", title: "Red apple", meta: { brand: "Orchard" } },
    { sku: "b2", title: "Pear", meta: { brand: "Apple Farms" } }
  ]
  const ask = Reranker.rerank({ query, documents: items, fields: ["title", "meta.brand"] })
  const scored = (count: number, shape: "data" | "results") =>
    Scripted.json(200, {
      [shape]: Array.from({ length: count }, (_, index) => ({
        index,
        score: 1 - index / 10,
        relevance_score: 1 - index / 10
      }))
    })

  it.effect("Pinecone, Together: objects with rank_fields; Mixedbread: JMESPath-quoted; results are the caller's", () =>
    Effect.gen(function* () {
      const records = [
        { title: "Red apple", "meta.brand": "Orchard" },
        { title: "Pear", "meta.brand": "Apple Farms" }
      ]
      const pinecone = yield* run("pinecone", [scored(2, "data")], ask)
      expect(pinecone.calls[0].body).toMatchObject({ documents: records, rank_fields: ["title", "meta.brand"] })
      expect(pinecone.result.results.map((r) => r.document)).toEqual(items)
      expect(pinecone.result.results[0].document).toBe(items[0])
      const together = yield* run("together", [scored(2, "results")], ask)
      expect(together.calls[0].body).toMatchObject({ documents: records, rank_fields: ["title", "meta.brand"] })
      const mixedbread = yield* run("mixedbread", [scored(2, "data")], ask)
      expect(mixedbread.calls[0].body).toMatchObject({ input: records, rank_fields: ["title", '"meta.brand"'] })
    })
  )

  it.effect("Bedrock: JSON documents (inlineDocumentSource type JSON)", () =>
    Effect.gen(function* () {
      const bedrock = yield* run(
        "bedrock",
        [
          Scripted.json(200, {
            results: [
              { index: 1, relevanceScore: 0.9 },
              { index: 0, relevanceScore: 0.1 }
            ]
          })
        ],
        ask
      )
      expect(bedrock.calls[0].body.sources).toEqual([
        {
          type: "INLINE",
          inlineDocumentSource: { type: "JSON", jsonDocument: { title: "Red apple", "meta.brand": "Orchard" } }
        },
        {
          type: "INLINE",
          inlineDocumentSource: { type: "JSON", jsonDocument: { title: "Pear", "meta.brand": "Apple Farms" } }
        }
      ])
      expect(bedrock.result.results[0].document).toBe(items[1])
    })
  )

  it.effect("Jina and the others without rank fields: `name: value` lines", () =>
    Effect.gen(function* () {
      const jina = yield* run("jina", [scored(2, "results")], ask)
      expect(jina.calls[0].body.documents).toEqual([
        "title: Red apple\nmeta.brand: Orchard",
        "title: Pear\nmeta.brand: Apple Farms"
      ])
    })
  )
})
