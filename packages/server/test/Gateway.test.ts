/**
 * A gateway between two vendors: each protocol's clients name their own vendor's models, and the upstream, whichever
 * vendor it is, is asked only for models of its own (the caller's when it serves it, a mapped one, else its
 * default); both models are on the request's log line. The upstream refusing the gateway's own key is the gateway's
 * 502, never the caller's 401.
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere, Jina, Pinecone, Registry, Voyage } from "@effect-rerank/http"
import { Gateway, NodeServer } from "@effect-rerank/server"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Layer, Logger, Redacted } from "effect"
import { failureOf } from "../../../test-utils/Outcome.js"

type Vendor = "cohere" | "jina" | "voyage" | "pinecone"

/** A server on a free port over `reranker`, for the scope; its URL. Its log lines' annotations land in `logs`. */
const serve = (
  reranker: Layer.Layer<Reranker.Reranker, unknown>,
  options: NodeServer.Options = {},
  logs: Array<Record<string, unknown>> = []
) =>
  Effect.gen(function* () {
    const logger = Logger.make(({ annotations }) => {
      logs.push(Object.fromEntries(HashMap.toEntries(annotations)))
    })
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, ...options }).pipe(
        Layer.provide(reranker),
        Layer.provide(Logger.replace(Logger.defaultLogger, logger))
      )
    )
    return yield* HttpServer.addressFormattedWith(Effect.succeed).pipe(Effect.provide(context))
  })

/** The upstream: a server of every protocol recording the model each call named. */
const recordingUpstream = Effect.gen(function* () {
  const models: Array<string | undefined> = []
  const reranker = Layer.effect(
    Reranker.Reranker,
    Effect.map(
      Reranker.makeTest((_query, text) => (text.includes("capital") ? 1 : 0)),
      (service): Reranker.Service => ({
        rerank: (request) => Effect.suspend(() => (models.push(request.model), service.rerank(request)))
      })
    )
  )
  return { url: yield* serve(reranker, { apiKey: Redacted.make("upstream-key") }), models }
})

const prefix = (vendor: Vendor) => (vendor === "cohere" ? "" : `/${vendor}`)

/** Our client of `vendor`'s protocol at `baseUrl`, asking for that vendor's own model. */
const client = (vendor: Vendor, baseUrl: string, key: string) => {
  // No retries: a 502 would otherwise be asked again, for seconds of real time.
  const common = { apiKey: Redacted.make(key), baseUrl, retry: { maxRetries: 0 } }
  const layer = {
    cohere: Cohere.layer({ ...common, model: "rerank-v3.5" }),
    jina: Jina.layer({ ...common, model: "jina-reranker-v2-base-multilingual" }),
    voyage: Voyage.layer({ ...common, model: "rerank-2.5" }),
    pinecone: Pinecone.layer({ ...common, model: "bge-reranker-v2-m3" })
  }[vendor]
  return layer.pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)
}

/** A gateway fronting `upstream` (its vendor's protocol at `upstreamUrl`), with the gateway's own key. */
const gateway = (upstream: Vendor, upstreamUrl: string, key: string, options: Partial<Gateway.Options> = {}) => {
  const entry = Registry.providers.find((p) => p.name === upstream)!
  const layer = client(upstream, `${upstreamUrl}${prefix(upstream)}`, key)
  return Gateway.layer({ serves: entry.models, ...options }).pipe(Layer.provide(layer))
}

const documents = ["Berlin is in Germany.", "Paris is the capital of France.", "Rome is in Italy."]

describe("a gateway between vendors", () => {
  const vendors: ReadonlyArray<Vendor> = ["cohere", "jina", "voyage", "pinecone"]

  it.live(
    "every client protocol through a gateway to every other vendor: answers, and only the upstream's models",
    () =>
      Effect.gen(function* () {
        const upstream = yield* recordingUpstream
        for (const to of vendors) {
          const served = Registry.providers.find((p) => p.name === to)!.models
          const url = yield* serve(gateway(to, upstream.url, "upstream-key"))
          for (const from of vendors.filter((v) => v !== to)) {
            upstream.models.length = 0
            const result = yield* Reranker.rerank({ query: "capital", documents }).pipe(
              Effect.provide(client(from, `${url}${prefix(from)}`, "any"))
            )
            expect([from, to, result.results[0].index]).toEqual([from, to, 1])
            expect(upstream.models.length).toBe(1)
            expect(served).toContain(upstream.models[0])
          }
        }
      }).pipe(Effect.scoped)
  )

  it.live("a caller's model the upstream serves passes; a mapped one is translated; both are logged", () =>
    Effect.gen(function* () {
      const upstream = yield* recordingUpstream
      const logs: Array<Record<string, unknown>> = []
      const map = { "jina-reranker-v2-base-multilingual": "rerank-v4.0-fast" }
      const url = yield* serve(
        gateway("cohere", upstream.url, "upstream-key", { model: "rerank-v4.0-pro", map }),
        {},
        logs
      )
      const ask = (model: string) =>
        Reranker.rerank({ query: "capital", documents, model }).pipe(Effect.provide(client("cohere", url, "any")))
      yield* ask("rerank-english-v3.0")
      yield* ask("jina-reranker-v2-base-multilingual")
      yield* ask("someone-elses-model")
      expect(upstream.models).toEqual(["rerank-english-v3.0", "rerank-v4.0-fast", "rerank-v4.0-pro"])
      const lines = logs.filter((line) => line.path === "/v2/rerank")
      expect(lines.map((line) => [line.model_asked, line.model])).toEqual([
        ["rerank-english-v3.0", "rerank-english-v3.0"],
        ["jina-reranker-v2-base-multilingual", "rerank-v4.0-fast"],
        ["someone-elses-model", "rerank-v4.0-pro"]
      ])
    }).pipe(Effect.scoped)
  )

  it.live("the upstream refusing the gateway's key is a 502 saying so; the caller's own wrong key is a 401", () =>
    Effect.gen(function* () {
      const upstream = yield* recordingUpstream
      const url = yield* serve(gateway("jina", upstream.url, "wrong-upstream-key", {}), {
        apiKey: Redacted.make("gateway-key")
      })
      const call = (key: string) =>
        failureOf(Reranker.rerank({ query: "capital", documents }).pipe(Effect.provide(client("cohere", url, key))))
      const refused = yield* call("gateway-key")
      expect(refused).toMatchObject({ _tag: "ServiceError", status: 502 })
      expect(refused.serverMessage).toBe(`${Gateway.upstreamCredentialsRefused} (invalid-key)`)
      const caller = yield* call("not-the-gateway-key")
      expect(caller).toMatchObject({ _tag: "AuthenticationError", reason: "invalid-key", status: 401 })
    }).pipe(Effect.scoped)
  )
})

describe("Gateway.modelFor", () => {
  const options = { serves: ["a", "b"], model: "b", map: { x: "a", constructor: "b" } }
  it("mapped first, then served, then the gateway's model; nothing asked is the gateway's", () => {
    expect(Gateway.modelFor(options, "x")).toBe("a")
    expect(Gateway.modelFor(options, "a")).toBe("a")
    expect(Gateway.modelFor(options, "zzz")).toBe("b")
    expect(Gateway.modelFor(options, undefined)).toBe("b")
    expect(Gateway.modelFor({ serves: [] }, "zzz")).toBeUndefined()
    // Only the map's own entries: not what every object inherits.
    expect(Gateway.modelFor({ serves: [], map: {} }, "toString")).toBeUndefined()
  })
})

describe("a gateway passes on what its upstream billed", () => {
  it.scopedLive("tokens an upstream reports reach a Jina caller's usage, as tokens", () =>
    Effect.gen(function* () {
      // An upstream reranker that bills 42 tokens a call, in the core's usage model.
      const billing = Layer.succeed(Reranker.Reranker, {
        rerank: (request) =>
          Effect.succeed({
            model: "up",
            results: request.documents.map((document, index) => ({
              index,
              rank: index + 1,
              score: 1 - index / 10,
              document
            })),
            usage: {
              searchUnits: 0,
              requests: 1,
              billed: { unit: "tokens" as const, quantity: 42, source: "reported" as const }
            },
            warnings: []
          })
      } as Reranker.Service)
      const url = yield* serve(billing)
      const result = yield* Reranker.rerank({ query: "q", documents: ["a", "b"] }).pipe(
        Effect.provide(
          Jina.layer({ apiKey: Redacted.make("k"), baseUrl: `${url}/jina` }).pipe(Layer.provide(FetchHttpClient.layer))
        )
      )
      expect(result.usage.billed).toEqual({ unit: "tokens", quantity: 42, source: "reported" })
    })
  )
})
