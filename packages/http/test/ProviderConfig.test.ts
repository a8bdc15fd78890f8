/**
 * Provider layers from the environment, the quota's name and the cache's keys: what a user configures by variables,
 * and what decides which budget and which cached scores a call shares.
 */
import { Reranker, ScoreCache } from "@effect-rerank/core"
import {
  Bedrock,
  Cohere,
  HttpProvider,
  Jina,
  Mixedbread,
  Pinecone,
  Tei,
  Together,
  Vllm,
  Voyage
} from "@effect-rerank/http"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const okJina: Scripted.Answer = (body) =>
  Scripted.json(200, {
    results: body.documents.map((_: string, index: number) => ({ index, relevance_score: 1 / (index + 1) }))
  })

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromJson(env))

describe("layerConfig reads each provider's variables", () => {
  it.effect("Jina: JINA_API_KEY and JINA_BASE_URL; a missing key names JINA_API_KEY at construction", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make(okJina)
      yield* Reranker.rerank({ query: "q", documents: ["a", "b"] }).pipe(
        Effect.provide(Jina.layerConfig().pipe(Layer.provide(scripted.layer))),
        withEnv({ JINA_API_KEY: "jina-env-key", JINA_BASE_URL: "http://127.0.0.1:9" })
      )
      expect(scripted.calls[0].url).toBe("http://127.0.0.1:9/v1/rerank")
      expect(scripted.calls[0].headers.authorization).toBe("Bearer jina-env-key")
      const missing = yield* Layer.build(Jina.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
        Effect.scoped,
        withEnv({}),
        Effect.flip
      )
      expect(String(missing)).toContain("Set JINA_API_KEY to a Jina API key")
      const empty = yield* Layer.build(Jina.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
        Effect.scoped,
        withEnv({ JINA_API_KEY: " " }),
        Effect.flip
      )
      expect(String(empty)).toContain("JINA_API_KEY is empty")
    })
  )

  it.effect("a provider of one's own reading its key from three variables: the first found wins; none lists all", () =>
    Effect.gen(function* () {
      const own = HttpProvider.constructors(Jina.protocol, {
        key: ["ACME_API_KEY", "ACME_KEY", "ACME_TOKEN"],
        keyRequired: true,
        keyName: "an Acme key",
        baseUrl: "ACME_BASE_URL"
      })
      const scripted = Scripted.make(okJina)
      yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(own.layerConfig().pipe(Layer.provide(scripted.layer))),
        withEnv({ ACME_TOKEN: "third", ACME_KEY: "second" })
      )
      expect(scripted.calls[0].headers.authorization).toBe("Bearer second")
      const missing = yield* Layer.build(own.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
        Effect.scoped,
        withEnv({}),
        Effect.flip
      )
      expect(String(missing)).toBe(
        '(Missing data at ACME_API_KEY: "Set ACME_API_KEY (or ACME_KEY, ACME_TOKEN) to an Acme key; no key was found in the environment")'
      )
    })
  )

  const hosted = [
    ["Voyage", Voyage.layerConfig, "VOYAGE_API_KEY", "VOYAGE_BASE_URL", "a Voyage API key", "/v1/rerank"],
    ["Mixedbread", Mixedbread.layerConfig, "MXBAI_API_KEY", "MXBAI_BASE_URL", "a Mixedbread API key", "/v1/reranking"],
    ["Pinecone", Pinecone.layerConfig, "PINECONE_API_KEY", "PINECONE_BASE_URL", "a Pinecone API key", "/rerank"],
    ["Together", Together.layerConfig, "TOGETHER_API_KEY", "TOGETHER_BASE_URL", "a Together API key", "/v1/rerank"]
  ] as const
  for (const [name, layerConfig, keyVariable, urlVariable, keyName, path] of hosted) {
    it.effect(`${name}: ${keyVariable} and ${urlVariable}; no key is an error naming the variable`, () =>
      Effect.gen(function* () {
        const scripted = Scripted.make(() => Scripted.json(500, { message: "any answer will do" }))
        const layer = (layerConfig as () => Layer.Layer<Reranker.Reranker, unknown, any>)().pipe(
          Layer.provide(scripted.layer)
        )
        yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
          Effect.provide(layer),
          withEnv({ [keyVariable]: "env-key", [urlVariable]: "http://127.0.0.1:9" }),
          Effect.either,
          Effect.fork,
          Effect.tap(() => TestClock.adjust("1 minute")),
          Effect.flatMap(Fiber.join)
        )
        expect(scripted.calls[0].url).toBe(`http://127.0.0.1:9${path}`)
        expect(JSON.stringify(scripted.calls[0].headers)).toContain("env-key")
        const missing = yield* Layer.build(layer).pipe(Effect.scoped, withEnv({}), Effect.flip)
        expect(String(missing)).toBe(
          `(Missing data at ${keyVariable}: "Set ${keyVariable} to ${keyName}; no key was found in the environment")`
        )
      })
    )
  }

  it.effect("vLLM: VLLM_BASE_URL is required; VLLM_API_KEY is optional and sent as a bearer token when set", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make(() =>
        Scripted.json(200, { results: [{ index: 0, relevance_score: 0.5 }], model: "m", usage: { total_tokens: 1 } })
      )
      const layer = Vllm.layerConfig().pipe(Layer.provide(scripted.layer))
      yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(layer),
        withEnv({ VLLM_BASE_URL: "http://127.0.0.1:8000" })
      )
      expect(scripted.calls[0].url).toBe("http://127.0.0.1:8000/v2/rerank")
      expect(scripted.calls[0].headers.authorization).toBeUndefined()
      yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(layer),
        withEnv({ VLLM_BASE_URL: "http://127.0.0.1:8000", VLLM_API_KEY: "vllm-key" })
      )
      expect(scripted.calls[1].headers.authorization).toBe("Bearer vllm-key")
    })
  )

  it.effect("TEI: TEI_BASE_URL is required; TEI_API_KEY is optional and sent as a bearer token when set", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make(() => Scripted.json(200, [{ index: 0, score: 0.5 }]))
      yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(Tei.layerConfig().pipe(Layer.provide(scripted.layer))),
        withEnv({ TEI_BASE_URL: "http://127.0.0.1:8081" })
      )
      expect(scripted.calls[0].headers.authorization).toBeUndefined()
      yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(Tei.layerConfig().pipe(Layer.provide(scripted.layer))),
        withEnv({ TEI_BASE_URL: "http://127.0.0.1:8081", TEI_API_KEY: "tei-key" })
      )
      expect(scripted.calls[1].headers.authorization).toBe("Bearer tei-key")
      const missing = yield* Layer.build(Tei.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
        Effect.scoped,
        withEnv({}),
        Effect.flip
      )
      expect(String(missing)).toContain("baseUrl")
    })
  )

  it.effect("vLLM and TEI: a key variable set but empty says which key it should hold", () =>
    Effect.gen(function* () {
      const emptyKey = <E>(layer: Layer.Layer<Reranker.Reranker, E>, env: Record<string, string>) =>
        Layer.build(layer).pipe(Effect.scoped, withEnv(env), Effect.flip, Effect.map(String))
      const scripted = Scripted.make(() => Scripted.json(500, {}))
      expect(
        yield* emptyKey(Vllm.layerConfig().pipe(Layer.provide(scripted.layer)), {
          VLLM_BASE_URL: "http://127.0.0.1:8000",
          VLLM_API_KEY: " "
        })
      ).toContain("VLLM_API_KEY is empty: set it to the key the vLLM server was started with")
      expect(
        yield* emptyKey(Tei.layerConfig().pipe(Layer.provide(scripted.layer)), {
          TEI_BASE_URL: "http://127.0.0.1:8081",
          TEI_API_KEY: " "
        })
      ).toContain("TEI_API_KEY is empty: set it to the key the TEI server was started with")
    })
  )

  it.effect(
    "Bedrock: AWS_REGION (or AWS_DEFAULT_REGION) and the AWS SDK's credential variables; none is an error",
    () =>
      Effect.gen(function* () {
        const scripted = Scripted.make(() => Scripted.json(200, { results: [{ index: 0, relevanceScore: 0.9 }] }))
        yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
          Effect.provide(Bedrock.layerConfig().pipe(Layer.provide(scripted.layer))),
          withEnv({
            AWS_DEFAULT_REGION: "eu-central-1",
            AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "secret-example",
            AWS_SESSION_TOKEN: "session-token-example"
          })
        )
        const signed = scripted.calls[0]
        expect(signed.url).toBe("https://bedrock-agent-runtime.eu-central-1.amazonaws.com/rerank")
        expect(signed.headers.authorization).toMatch(
          /Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/bedrock\/aws4_request/
        )
        expect(signed.headers.authorization).toContain("x-amz-security-token")
        expect(signed.headers["x-amz-security-token"]).toBe("session-token-example")
        yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
          Effect.provide(Bedrock.layerConfig().pipe(Layer.provide(scripted.layer))),
          withEnv({ AWS_REGION: "us-east-1", AWS_BEARER_TOKEN_BEDROCK: "bedrock-api-key" })
        )
        expect(scripted.calls[1].headers.authorization).toBe("Bearer bedrock-api-key")
        const none = yield* Layer.build(Bedrock.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
          Effect.scoped,
          withEnv({ AWS_REGION: "us-east-1" }),
          Effect.flip
        )
        expect(String(none)).toContain("AWS_ACCESS_KEY_ID")
        const noRegion = yield* Layer.build(Bedrock.layerConfig().pipe(Layer.provide(scripted.layer))).pipe(
          Effect.scoped,
          withEnv({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" }),
          Effect.flip
        )
        // One line saying what to set, like a missing key: not the two lookups that failed.
        expect(String(noRegion)).toContain(
          "Set AWS_REGION (or AWS_DEFAULT_REGION) to the region of your Bedrock models, e.g. us-west-2"
        )
        expect(String(noRegion)).not.toContain("to exist in the process context")
      })
  )
})

describe("the quota's name: the provider, its endpoint and a hash of the key, never the key", () => {
  it.effect("the same key shares one budget; another key has its own", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make(okJina)
      const store = yield* Layer.build(RateLimiter.layerStoreMemory)
      const jina = (key: string) =>
        Reranker.Reranker.pipe(
          Effect.provide(
            Jina.layer({ apiKey: Redacted.make(key), rateLimit: { limit: 1, window: "1 minute" } }).pipe(
              Layer.provide(scripted.layer),
              Layer.provide(Layer.succeedContext(store)),
              Layer.orDie
            )
          )
        )
      const [a1, a2, b] = [yield* jina("key-a"), yield* jina("key-a"), yield* jina("key-b")]
      const fiber = yield* Effect.fork(
        Effect.all(
          [a1, a2, b].map((r) => r.rerank({ query: "q", documents: ["x"] })),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      // key-a's first call and key-b's went at once; key-a's second waits for the next minute's token.
      expect(scripted.calls.map((c) => c.at)).toEqual([0, 0])
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(scripted.calls.map((c) => c.at)).toEqual([0, 0, 60_000])
    }).pipe(Effect.scoped)
  )
})

describe("the cache's keys include what changes a score", () => {
  it.effect("Voyage on one shared store: truncation on and off are separate entries; the same options hit", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make((body) =>
        Scripted.json(200, {
          data: body.documents.map((_: string, index: number) => ({ index, relevance_score: 0.5 }))
        })
      )
      const store = yield* Layer.build(ScoreCache.layerMemory())
      const voyage = (truncation: boolean) =>
        Reranker.Reranker.pipe(
          Effect.provide(
            Voyage.layer({ apiKey: Redacted.make("k"), truncation, cache: true }).pipe(
              Layer.provide(scripted.layer),
              Layer.provide(Layer.succeedContext(store)),
              Layer.orDie
            )
          )
        )
      const on = yield* voyage(true)
      const alsoOn = yield* voyage(true)
      const off = yield* voyage(false)
      yield* on.rerank({ query: "q", documents: ["a", "b"] })
      const hit = yield* alsoOn.rerank({ query: "q", documents: ["a", "b"] })
      expect(hit.usage.cachedDocuments).toBe(2)
      expect(scripted.calls.length).toBe(1)
      const miss = yield* off.rerank({ query: "q", documents: ["a", "b"] })
      expect(miss.usage.cachedDocuments).toBe(0)
      expect(scripted.calls.length).toBe(2)
    }).pipe(Effect.scoped)
  )
})

describe("the cache's keys: each provider's scoring options", () => {
  // Whether a second reranker with `second` options, on the same store as one with `first`, sends again.
  const sendsAgain = (
    layerOf: (options: Record<string, unknown>) => Layer.Layer<Reranker.Reranker, unknown, any>,
    answer: Scripted.Answer,
    first: Record<string, unknown>,
    second: Record<string, unknown>
  ) =>
    Effect.gen(function* () {
      const scripted = Scripted.make(answer)
      const store = yield* Layer.build(ScoreCache.layerMemory())
      for (const options of [first, second]) {
        const layer = layerOf({ cache: true, ...options }).pipe(
          Layer.provide(scripted.layer),
          Layer.provide(Layer.succeedContext(store)),
          Layer.orDie
        )
        yield* Reranker.rerank({ query: "q", documents: ["a", "b"] }).pipe(Effect.provide(layer))
      }
      return scripted.calls.length === 2
    }).pipe(Effect.scoped)

  const pinecone = (o: Record<string, unknown>) => Pinecone.layer({ apiKey: Redacted.make("k"), ...o })
  const pineconeAnswer: Scripted.Answer = (body) =>
    Scripted.json(200, { data: body.documents.map((_: unknown, index: number) => ({ index, score: 0.5 })) })
  const tei = (o: Record<string, unknown>) => Tei.layer({ baseUrl: "http://127.0.0.1:8081", ...o })
  const teiAnswer: Scripted.Answer = (body) =>
    Scripted.json(
      200,
      body.texts.map((_: unknown, index: number) => ({ index, score: 0.5 }))
    )
  const vllm = (o: Record<string, unknown>) => Vllm.layer({ baseUrl: "http://127.0.0.1:8000", ...o })
  const vllmAnswer: Scripted.Answer = (body) =>
    Scripted.json(200, {
      results: body.documents.map((_: unknown, index: number) => ({ index, relevance_score: 0.5 }))
    })
  const jina = (o: Record<string, unknown>) => Jina.layer({ apiKey: Redacted.make("k"), ...o })

  it.effect("options that change a score make separate entries; the same options, or a default spelled out, hit", () =>
    Effect.gen(function* () {
      expect(yield* sendsAgain(pinecone, pineconeAnswer, { truncate: "END" }, { truncate: "NONE" })).toBe(true)
      expect(yield* sendsAgain(pinecone, pineconeAnswer, { truncate: "END" }, { truncate: "END" })).toBe(false)
      expect(yield* sendsAgain(tei, teiAnswer, {}, { truncate: true })).toBe(true)
      expect(yield* sendsAgain(tei, teiAnswer, {}, { truncationDirection: "Left" })).toBe(true)
      expect(yield* sendsAgain(tei, teiAnswer, {}, { rawScores: true })).toBe(true)
      expect(yield* sendsAgain(vllm, vllmAnswer, {}, { truncatePromptTokens: 128 })).toBe(true)
      expect(yield* sendsAgain(vllm, vllmAnswer, { truncatePromptTokens: 128 }, { truncatePromptTokens: 128 })).toBe(
        false
      )
      const bedrock = (o: Record<string, unknown>) =>
        Bedrock.layer({
          region: "us-west-2",
          credentials: { accessKeyId: "AKID", secretAccessKey: Redacted.make("secret") },
          ...o
        })
      const bedrockAnswer: Scripted.Answer = (body) =>
        Scripted.json(200, {
          results: body.sources.map((_: unknown, index: number) => ({ index, relevanceScore: 0.5 }))
        })
      expect(yield* sendsAgain(bedrock, bedrockAnswer, {}, { region: "eu-central-1" })).toBe(true)
      expect(yield* sendsAgain(bedrock, bedrockAnswer, {}, { additionalModelRequestFields: { a: 1 } })).toBe(true)
      expect(yield* sendsAgain(bedrock, bedrockAnswer, {}, {})).toBe(false)
      // Raw scores are the default: saying so shares the entries; sigmoid is another score.
      expect(yield* sendsAgain(jina, okJina, {}, { scores: "raw" })).toBe(false)
      expect(yield* sendsAgain(jina, okJina, {}, { scores: "sigmoid" })).toBe(true)
    })
  )
})

describe("the cache's keys for Cohere", () => {
  it.effect("the API version and the per-document limits separate entries; the default equals v2 spelled out", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make((body) =>
        Scripted.json(200, {
          results: body.documents.map((_: string, index: number) => ({ index, relevance_score: 0.5 }))
        })
      )
      const store = yield* Layer.build(ScoreCache.layerMemory())
      const sends = (options: Partial<Cohere.Options>) =>
        Effect.gen(function* () {
          const reranker = yield* Reranker.Reranker.pipe(
            Effect.provide(
              Cohere.layer({ apiKey: Redacted.make("k"), cache: true, ...options }).pipe(
                Layer.provide(scripted.layer),
                Layer.provide(Layer.succeedContext(store)),
                Layer.orDie
              )
            )
          )
          const before = scripted.calls.length
          yield* reranker.rerank({ query: "q", documents: ["a", "b"] })
          return scripted.calls.length > before
        })
      expect(yield* sends({})).toBe(true)
      expect(yield* sends({ apiVersion: "v2" })).toBe(false)
      expect(yield* sends({ apiVersion: "v1" })).toBe(true)
      expect(yield* sends({ apiVersion: "v1" })).toBe(false)
      expect(yield* sends({ maxTokensPerDoc: 512 })).toBe(true)
      expect(yield* sends({ apiVersion: "v1", maxChunksPerDoc: 3 })).toBe(true)
    }).pipe(Effect.scoped)
  )

  it("Cohere.provider is the provider the core wraps: pointwise, Cohere's limit, its model", () =>
    Effect.gen(function* () {
      const provider = yield* Cohere.provider({ apiKey: Redacted.make("k") }).pipe(
        Effect.provide(Scripted.make(okJina).layer)
      )
      expect([provider.system, provider.model, provider.maxDocumentsPerRequest, provider.pointwise]).toEqual([
        "cohere",
        "rerank-v3.5",
        1000,
        true
      ])
    }).pipe(Effect.runPromise))
})

describe("error bodies read loosely", () => {
  for (const [name, body, message] of [
    [
      "OpenAI-style with a numeric code",
      { error: { message: "bad top_n", type: "BadRequestError", code: 400 } },
      "bad top_n"
    ],
    ["a bare error string", { error: "model not found" }, "model not found"],
    ["a top-level message", { message: "upstream says no" }, "upstream says no"],
    ["FastAPI detail", { detail: "nope" }, "nope"]
  ] as const) {
    it.effect(`Together: ${name}`, () =>
      Effect.gen(function* () {
        const scripted = Scripted.make([Scripted.json(400, body)])
        const error = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
          Effect.provide(
            Together.layer({ apiKey: Redacted.make("k") }).pipe(Layer.provide(scripted.layer), Layer.orDie)
          ),
          Effect.flip
        )
        expect(error._tag).toBe("InvalidRequestError")
        expect("serverMessage" in error && error.serverMessage).toBe(message)
      })
    )
  }

  it.effect("Pinecone: its key travels in Api-Key and never reaches an error, even when the server echoes it", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make([
        Scripted.json(401, {
          error: { code: "UNAUTHENTICATED", message: "Invalid API Key: pc-secret-1234" },
          status: 401
        })
      ])
      const error = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.provide(
          Pinecone.layer({ apiKey: Redacted.make("pc-secret-1234") }).pipe(Layer.provide(scripted.layer), Layer.orDie)
        ),
        Effect.flip
      )
      expect(error._tag).toBe("AuthenticationError")
      expect(JSON.stringify(error)).not.toContain("pc-secret-1234")
      expect(String(error)).not.toContain("pc-secret-1234")
      expect(error.hint).toContain("PINECONE_API_KEY")
    })
  )
})
