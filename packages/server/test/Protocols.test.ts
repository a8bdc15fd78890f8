/**
 * Every provider module against our own server on loopback, each in its own protocol (`/jina/v1/rerank`,
 * `/voyage/v1/rerank`, ...): same answers as the reranker called directly, batching past the provider's own limit,
 * a 429 with `Retry-After` and a 5xx retried, and error bodies in the provider's shape that its client reads back
 * as the right tag.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import {
  Bedrock,
  Cohere,
  Contextual,
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
import { LocalReranker } from "@effect-rerank/local"
import { FaultInjection } from "@effect-rerank/server"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, Redacted } from "effect"
import { documents, query } from "../../../test-utils/Sample.js"
import * as LocalServer from "./LocalServer.js"

const startServer = LocalServer.start

const key = Redacted.make("test-key")
const fast = { retry: { base: "5 millis", cap: "1 second" } } as const

type Client = (baseUrl: string, extra?: Reranker.Options) => Layer.Layer<Reranker.Reranker>

const withFetch = <E>(layer: Layer.Layer<Reranker.Reranker, E, import("@effect/platform").HttpClient.HttpClient>) =>
  layer.pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)

/** Each protocol: its route prefix, its client, its own per-request limit, and how its error body reads. */
const protocols: ReadonlyArray<{
  readonly name: string
  readonly prefix: string
  readonly client: Client
  readonly limit: number
  /** The rerank path under the prefix. */
  readonly path: string
  /** The server's message in this protocol's error body. */
  readonly messageOf: (body: any) => string | undefined
}> = [
  {
    name: "Jina",
    path: "/v1/rerank",
    prefix: "/jina",
    client: (baseUrl, extra) => withFetch(Jina.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Jina.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "Voyage",
    path: "/v1/rerank",
    prefix: "/voyage",
    client: (baseUrl, extra) => withFetch(Voyage.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Voyage.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "Mixedbread",
    path: "/v1/reranking",
    prefix: "/mixedbread",
    client: (baseUrl, extra) => withFetch(Mixedbread.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Mixedbread.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "Pinecone",
    path: "/rerank",
    prefix: "/pinecone",
    client: (baseUrl, extra) => withFetch(Pinecone.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Pinecone.maxDocumentsByModel[Pinecone.defaults.model],
    messageOf: (body) => body.error.message
  },
  {
    name: "Together",
    path: "/v1/rerank",
    prefix: "/together",
    client: (baseUrl, extra) => withFetch(Together.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Together.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.error.message
  },
  {
    name: "Tei",
    path: "/rerank",
    prefix: "/tei",
    client: (baseUrl, extra) => withFetch(Tei.layer({ baseUrl, ...fast, ...extra })),
    limit: Tei.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.error
  },
  {
    name: "Vllm",
    path: "/v2/rerank",
    prefix: "/vllm",
    client: (baseUrl, extra) => withFetch(Vllm.layer({ baseUrl, ...fast, ...extra })),
    limit: Vllm.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.error.message
  },
  {
    name: "Bedrock",
    path: "/rerank",
    prefix: "/bedrock",
    client: (baseUrl, extra) =>
      withFetch(
        Bedrock.layer({
          region: "us-west-2",
          credentials: {
            accessKeyId: "AKIDEXAMPLE",
            secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
          },
          baseUrl,
          ...fast,
          ...extra
        })
      ),
    limit: Bedrock.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.message
  },
  {
    name: "NVIDIA NIM",
    path: "/v1/ranking",
    prefix: "/nim",
    client: (baseUrl, extra) => withFetch(Nim.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Nim.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "Vertex AI",
    path: "/v1/projects/my-project/locations/global/rankingConfigs/default_ranking_config:rank",
    prefix: "/vertex",
    // An access token as the key: the token flows have their own tests (Vertex.test.ts).
    client: (baseUrl, extra) =>
      withFetch(Vertex.layer({ apiKey: key, project: "my-project", baseUrl, ...fast, ...extra })),
    limit: Vertex.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.error.message
  },
  {
    name: "ZeroEntropy",
    path: "/v1/models/rerank",
    prefix: "/zeroentropy",
    client: (baseUrl, extra) => withFetch(ZeroEntropy.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: ZeroEntropy.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "Contextual AI",
    path: "/v1/rerank",
    prefix: "/contextual",
    client: (baseUrl, extra) => withFetch(Contextual.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: Contextual.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.detail
  },
  {
    name: "OpenRouter",
    path: "/api/v1/rerank",
    prefix: "/openrouter",
    client: (baseUrl, extra) => withFetch(OpenRouter.layer({ apiKey: key, baseUrl, ...fast, ...extra })),
    limit: OpenRouter.defaults.maxDocumentsPerRequest,
    messageOf: (body) => body.error.message
  }
]

const rule = (spec: string) => Either.getOrThrow(FaultInjection.parseRule(spec))

for (const { client, limit, messageOf, name, path, prefix } of protocols) {
  describe(`${name} against rerank serve (${prefix})`, () => {
    it.scopedLive("same order and scores as the reranker called directly", () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer()
        const direct = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(LocalReranker.layer()))
        const served = yield* Reranker.rerank({ query, documents, topN: 3 }).pipe(
          Effect.provide(client(baseUrl + prefix))
        )
        expect(served.results.map((r) => r.index)).toEqual(direct.results.slice(0, 3).map((r) => r.index))
        expect(served.results.map((r) => r.score)).toEqual(direct.results.slice(0, 3).map((r) => r.score))
        expect(served.results[0].document).toBe(documents[direct.results[0].index])
        expect(served.usage.requests).toBe(1)
      })
    )

    it.scopedLive(
      "fields: the records, sent the way this protocol takes them, ranked as their `name: value` text",
      () =>
        Effect.gen(function* () {
          const baseUrl = yield* startServer()
          const items = documents.map((text, i) => ({
            id: i,
            title: text.split(" ").slice(0, 3).join(" "),
            body: text
          }))
          const fields = ["title", "body"]
          // What every protocol's server ranks: each record's fields as `name: value` lines (Cohere v2's YAML of plain
          // strings reads the same).
          const texts = items.map((item) => `title: ${item.title}\nbody: ${item.body}`)
          const direct = yield* Reranker.rerank({ query, documents: texts }).pipe(Effect.provide(LocalReranker.layer()))
          const served = yield* Reranker.rerank({ query, documents: items, fields }).pipe(
            Effect.provide(client(baseUrl + prefix))
          )
          expect(served.results.map((r) => r.index)).toEqual(direct.results.map((r) => r.index))
          expect(served.results.map((r) => r.score)).toEqual(direct.results.map((r) => r.score))
          for (const r of served.results) expect(r.document).toBe(items[r.index])
        })
    )

    it.scopedLive(`past its own limit of ${limit} documents, batched into windows and merged complete`, () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer()
        const count = limit * 2 + 5
        const many = Array.from({ length: count }, (_, i) => `${documents[i % documents.length]} (copy ${i})`)
        const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(client(baseUrl + prefix)))
        expect(result.usage.requests).toBe(3)
        expect(result.results.length).toBe(count)
        expect(new Set(result.results.map((r) => r.index)).size).toBe(count)
        for (let i = 1; i < result.results.length; i++) {
          expect(result.results[i - 1].score).toBeGreaterThanOrEqual(result.results[i].score)
        }
      })
    )

    it.scopedLive("a 429 with Retry-After on every call: RateLimitError after 4 attempts, carrying the delay", () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer({ faults: { rules: [rule("429:retry-after=0")] } })
        const error = yield* Reranker.rerank({ query, documents }).pipe(
          Effect.provide(client(baseUrl + prefix)),
          Effect.flip
        )
        expect(error._tag).toBe("RateLimitError")
        expect(error.attempts).toBe(4)
        if (error._tag === "RateLimitError") expect(Option.isSome(error.retryAfter)).toBe(true)
      })
    )

    it.scopedLive("a 503 on every 2nd request is retried and the call succeeds", () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer({ faults: { rules: [rule("503")] } })
        const error = yield* Reranker.rerank({ query, documents }).pipe(
          Effect.provide(client(baseUrl + prefix)),
          Effect.flip
        )
        expect(error._tag).toBe("ServiceError")
        expect(error.attempts).toBe(4)
        const flaky = yield* startServer({ faults: { rules: [rule("503:every=2")] } })
        const layer = client(flaky + prefix)
        yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
        const second = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
        expect(second.results.length).toBe(documents.length)
      })
    )

    it.scopedLive("a body that is not JSON gets a 400 in this protocol's own error shape", () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer()
        const response = yield* Effect.promise(() =>
          fetch(`${baseUrl}${prefix}${path}`, {
            method: "POST",
            body: "{not json",
            headers: { "content-type": "application/json" }
          }).then(async (r) => ({ status: r.status, body: await r.json() }))
        )
        expect(response.status).toBe(400)
        expect(messageOf(response.body)).toBe("invalid request: request body is not valid JSON")
      })
    )

    it.scopedLive("a keyed server refuses a wrong key with an error the client reads as AuthenticationError", () =>
      Effect.gen(function* () {
        const baseUrl = yield* startServer({ apiKey: Redacted.make("the-right-key") })
        const error = yield* Reranker.rerank({ query, documents }).pipe(
          Effect.provide(client(baseUrl + prefix)),
          Effect.flip
        )
        expect(error._tag).toBe("AuthenticationError")
        if (error._tag === "AuthenticationError") expect(error.reason).toBe("invalid-key")
        expect(error.attempts).toBe(1)
        expect(RerankError.isRerankError(error)).toBe(true)
      })
    )
  })
}

describe("Cohere keeps the root", () => {
  it.scopedLive("Cohere's paths are served at the root, unprefixed", () =>
    Effect.gen(function* () {
      const baseUrl = yield* startServer()
      const result = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(withFetch(Cohere.layer({ apiKey: key, baseUrl })))
      )
      expect(result.results.length).toBe(documents.length)
    })
  )
})
