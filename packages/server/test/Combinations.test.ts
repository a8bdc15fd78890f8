/**
 * Properties across generated configurations, not features: provider x model x endpoint x key x scoring option x
 * cache x topN x minScore x batch size x concurrency x merge x scores x flaky services x fallback chains, through the
 * public API against the world of scripted services (World.ts). For every configuration:
 * (a) results with the cache equal results without it, and configurations that differ in provider, model, endpoint,
 *     key or scoring options never read each other's entries from one shared store;
 * (b) no request on the wire holds more documents than the limit of the model it names (or the caller's bound);
 * (c) every effect can be run again and gives the same answer and warnings;
 * (d) every combination of options either fails at construction with a `ConfigError` naming the option, or works;
 * (e) attempts and usage add up across windows.
 */
import { Reranker, type RerankResult, ScoreCache } from "@effect-rerank/core"
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
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck, Layer, Redacted, Schedule } from "effect"
import { recordingTracer } from "../../../test-utils/Spans.js"
import * as Scripted from "../../../test-utils/ScriptedClient.js"
import * as World from "./World.js"

// Each property runs its configurations one after another, for seconds on a quiet machine: its bound is generous,
// so that a busy one only makes it slower. Nothing here is timed.

/** Models each system is asked for: its default, others it serves, one it does not publish. */
const models: Record<World.System, ReadonlyArray<string>> = {
  cohere: ["rerank-v3.5", "rerank-v4.0-pro", "my-fine-tune"],
  jina: ["jina-reranker-v2-base-multilingual", "jina-reranker-v3"],
  voyage: ["rerank-2.5", "rerank-2.5-lite"],
  mixedbread: ["mixedbread-ai/mxbai-rerank-large-v2", "mixedbread-ai/mxbai-rerank-base-v2"],
  pinecone: ["bge-reranker-v2-m3", "cohere-rerank-3.5", "pinecone-rerank-v0", "my-own"],
  together: ["Salesforce/Llama-Rank-V1", "mixedbread-ai/Mxbai-Rerank-Large-V2"],
  tei: ["tei", "another"],
  vllm: ["vllm", "BAAI/bge-reranker-v2-m3"],
  bedrock: ["amazon.rerank-v1:0", "cohere.rerank-v3-5:0"],
  nim: ["nvidia/llama-3.2-nv-rerankqa-1b-v2", "nvidia/llama-nemotron-rerank-1b-v2"],
  vertex: ["semantic-ranker-default@latest", "semantic-ranker-fast-004"],
  zeroentropy: ["zerank-2", "zerank-1-small"],
  contextual: ["ctxl-rerank-v2-instruct-multilingual", "ctxl-rerank-v1-instruct"],
  openrouter: ["cohere/rerank-v3.5", "voyageai/rerank-2.5"]
}

/** Written down here from each provider's documents, not read from the code under test. */
const published = (system: World.System, model: string): number | undefined => {
  if (system === "pinecone") {
    return ({ "bge-reranker-v2-m3": 100, "pinecone-rerank-v0": 100, "cohere-rerank-3.5": 200 } as const)[
      model as "bge-reranker-v2-m3"
    ]
  }
  if (system === "vertex") return 200
  return system === "voyage" || system === "mixedbread" || system === "bedrock" ? 1000 : undefined
}

/** The window size when the caller gives none and the model has no published limit. */
const defaultLimit = (system: World.System) =>
  (({ tei: 32, pinecone: 100, nim: 512, vertex: 200 }) as Partial<Record<World.System, number>>)[system] ?? 1000

const systems = Object.keys(models) as ReadonlyArray<World.System>

const invalidOptions = ["concurrency", "maxDocumentsPerRequest", "cache.ttl", "scores", "model", "cache"] as const
type Invalid = (typeof invalidOptions)[number]

interface Setup {
  readonly system: World.System
  readonly host: "a" | "b"
  readonly key: "k1" | "k2"
  readonly model: number
  readonly scoring: boolean
  readonly batchSize: number | undefined
  readonly concurrency: number
  readonly merge: "score" | "rrf"
  readonly scores: "raw" | "sigmoid"
  readonly cache: false | true | "shared"
  readonly invalid: Invalid | undefined
}

const setup: FastCheck.Arbitrary<Setup> = FastCheck.record({
  system: FastCheck.constantFrom(...systems),
  host: FastCheck.constantFrom("a" as const, "b" as const),
  key: FastCheck.constantFrom("k1" as const, "k2" as const),
  model: FastCheck.nat(3),
  scoring: FastCheck.boolean(),
  batchSize: FastCheck.option(FastCheck.constantFrom(1, 2, 3, 7, 50, 150, 250), { nil: undefined }),
  concurrency: FastCheck.constantFrom(1, 2, 4),
  merge: FastCheck.constantFrom("score" as const, "rrf" as const),
  scores: FastCheck.constantFrom("raw" as const, "sigmoid" as const),
  cache: FastCheck.constantFrom(false as const, true as const, "shared" as const),
  invalid: FastCheck.option(FastCheck.constantFrom(...invalidOptions), { nil: undefined, freq: 6 })
})

const modelOf = (s: Setup) => models[s.system][s.model % models[s.system].length]

/** The layer options of a setup, an invalid one put in as the setup says. */
const optionsOf = (s: Setup, overrides: { readonly cache?: boolean } = {}) => {
  const cache =
    overrides.cache === false || s.cache === false ? undefined : s.cache === "shared" ? { shareAcrossKeys: true } : {}
  return {
    baseUrl: `https://${s.system}-${s.host}.test`,
    model: s.invalid === "model" ? "  " : modelOf(s),
    concurrency: s.invalid === "concurrency" ? 0 : s.concurrency,
    // One bad option at a time, so that the one named is known: a valid setup with an invalid one merges by score.
    merge: s.invalid === "cache" ? ("rrf" as const) : s.invalid !== undefined ? ("score" as const) : s.merge,
    scores: s.invalid === "scores" ? ("softmax" as "raw") : s.scores,
    retry: Schedule.recurs(2),
    ...(s.invalid === "maxDocumentsPerRequest"
      ? { maxDocumentsPerRequest: 0 }
      : s.batchSize === undefined
        ? {}
        : { maxDocumentsPerRequest: s.batchSize }),
    ...(s.invalid === "cache.ttl"
      ? { cache: { ttl: 0 } }
      : s.invalid === "cache"
        ? { cache: {} }
        : cache === undefined
          ? {}
          : { cache })
  }
}

const layerOf = (s: Setup, overrides: { readonly cache?: boolean } = {}) => {
  const options = optionsOf(s, overrides)
  const apiKey = Redacted.make(s.key)
  switch (s.system) {
    case "cohere":
      return Cohere.layer({ ...options, apiKey, ...(s.scoring ? { maxTokensPerDoc: 512 } : {}) })
    case "jina":
      return Jina.layer({ ...options, apiKey })
    case "voyage":
      return Voyage.layer({ ...options, apiKey, ...(s.scoring ? { truncation: false } : {}) })
    case "mixedbread":
      return Mixedbread.layer({ ...options, apiKey })
    case "pinecone":
      return Pinecone.layer({ ...options, apiKey, ...(s.scoring ? { truncate: "NONE" as const } : {}) })
    case "together":
      return Together.layer({ ...options, apiKey })
    case "tei":
      return Tei.layer({ ...options, apiKey, ...(s.scoring ? { rawScores: true } : {}) })
    case "vllm":
      return Vllm.layer({ ...options, apiKey, ...(s.scoring ? { truncatePromptTokens: 128 } : {}) })
    case "bedrock":
      return Bedrock.layer({
        ...options,
        region: "us-west-2",
        credentials: { accessKeyId: s.key, secretAccessKey: Redacted.make(`secret-of-${s.key}`) }
      })
    case "nim":
      return Nim.layer({ ...options, apiKey, ...(s.scoring ? { truncate: "END" as const } : {}) })
    case "vertex":
      // The key as an access token; the token flows are Vertex.test.ts's.
      return Vertex.layer({ ...options, apiKey, project: "p" })
    case "zeroentropy":
      return ZeroEntropy.layer({ ...options, apiKey })
    case "contextual":
      return Contextual.layer({ ...options, apiKey })
    case "openrouter":
      return OpenRouter.layer({ ...options, apiKey, ...(s.scoring ? { routing: { order: ["cohere"] } } : {}) })
  }
}

/** Whether the setup's scoring option exists for its system (Jina, Mixedbread, Together, Bedrock and others have none). */
const hasScoring = (s: Setup) =>
  s.scoring && ["cohere", "voyage", "pinecone", "tei", "vllm", "nim", "openrouter"].includes(s.system)

interface Call {
  readonly documents: number
  readonly stride: number
  readonly topN: number | undefined
  readonly minScore: number | undefined
  readonly model: number | undefined
  readonly flaky: boolean
}

const call: FastCheck.Arbitrary<Call> = FastCheck.record({
  documents: FastCheck.oneof(FastCheck.integer({ min: 0, max: 12 }), FastCheck.integer({ min: 30, max: 230 })),
  stride: FastCheck.constantFrom(1, 7, 13),
  topN: FastCheck.option(FastCheck.integer({ min: 1, max: 15 }), { nil: undefined }),
  minScore: FastCheck.option(FastCheck.constantFrom(0.2, 0.6), { nil: undefined }),
  model: FastCheck.option(FastCheck.nat(3), { nil: undefined }),
  flaky: FastCheck.boolean()
})

const documentsOf = (c: Call) => Array.from({ length: c.documents }, (_, i) => `passage ${(i * c.stride) % 307}`)

const requestOf = (s: Setup, c: Call) => ({
  query: "which passage?",
  documents: documentsOf(c),
  ...(c.topN === undefined ? {} : { topN: c.topN }),
  ...(c.minScore === undefined ? {} : { minScore: c.minScore }),
  ...(c.model === undefined ? {} : { model: models[s.system][c.model % models[s.system].length] })
})

/** Fails the first request of each window (by its host, size and first document) once, when the call is flaky. */
const flakyOnce = (flaky: boolean): World.Failure => {
  const failed = new Set<string>()
  return (seen) => {
    const id = `${seen.host}|${seen.documents.length}|${seen.documents[0]}`
    if (!flaky || failed.has(id)) return undefined
    failed.add(id)
    return Scripted.json(503, { message: "busy" })
  }
}

const built = (layer: Layer.Layer<Reranker.Reranker, unknown, any>, world: ReturnType<typeof World.make>) =>
  Effect.either(Reranker.Reranker.pipe(Effect.provide(layer.pipe(Layer.provide(world.layer)))))

/** What a caller sees of a result's ranking. */
const visible = (result: RerankResult.RerankResult<string>) =>
  result.results.map((r) => [r.index, r.rank, r.score, r.document])

describe("properties across configurations", () => {
  it.effect.prop(
    "(d) a configuration fails at construction with a ConfigError naming the bad option, or works",
    [setup, call],
    ([s, c]) =>
      Effect.gen(function* () {
        const world = World.make()
        const outcome = yield* built(layerOf(s), world)
        if (s.invalid !== undefined) {
          expect(Either.isLeft(outcome)).toBe(true)
          if (Either.isLeft(outcome)) {
            expect(outcome.left).toMatchObject({ _op: "InvalidData", path: [s.invalid] })
          }
          return
        }
        const validCache = !(s.cache !== false && s.merge === "rrf")
        expect(Either.isRight(outcome)).toBe(validCache)
        if (Either.isLeft(outcome)) {
          expect(outcome.left).toMatchObject({ _op: "InvalidData", path: ["cache"] })
          return
        }
        const result = yield* outcome.right.rerank(requestOf(s, c))
        expect(result.results.length).toBeLessThanOrEqual(Math.min(c.topN ?? Infinity, c.documents))
      }),
    { timeout: 240_000, fastCheck: { numRuns: 120 } }
  )

  it.effect.prop(
    "(a, b, c, e) the cache changes nothing but what is sent; windows fit the model; re-runs agree; counts add up",
    [setup, call],
    ([given, c]) =>
      Effect.gen(function* () {
        const s: Setup = { ...given, invalid: undefined, merge: given.cache === false ? given.merge : "score" }
        const world = World.make(flakyOnce(c.flaky))
        const fresh = World.make()
        const reranker = yield* Effect.flatten(built(layerOf(s), world))
        const uncached = yield* Effect.flatten(built(layerOf(s, { cache: false }), fresh))
        const { spans, tracer } = yield* recordingTracer
        const once = reranker.rerank(requestOf(s, c)).pipe(Effect.withTracer(tracer))
        const first = yield* once
        const second = yield* once
        const expected = yield* uncached.rerank(requestOf(s, c))

        // (a) cached or not, the same answer; (c) the same effect twice, the same answer and warnings.
        expect(visible(first)).toEqual(visible(expected))
        expect(visible(second)).toEqual(visible(first))
        expect(second.warnings).toEqual(first.warnings)
        expect(first.model).toBe(expected.model)

        // (b) every request within the limit of the model it names, and the caller's bound.
        const model = requestOf(s, c).model ?? modelOf(s)
        const limit = Math.min(
          s.batchSize ?? published(s.system, model) ?? defaultLimit(s.system),
          published(s.system, model) ?? Infinity
        )
        for (const seen of [...world.seen, ...fresh.seen]) expect(seen.documents.length).toBeLessThanOrEqual(limit)

        // (e) one successful request per window, one more per window that failed once; attempts on the span.
        const sent = first.usage.sentDocuments ?? c.documents
        const windows = sent === 0 ? 0 : Math.ceil(sent / limit)
        expect(first.usage.requests).toBe(windows)
        const firstRun = spans.find((span) => span.name === "Reranker.rerank")!
        expect(firstRun.attributes.get("rerank.attempts") ?? 0).toBe(c.flaky ? 2 * windows : windows)
        const billed = s.system === "cohere" || s.system === "pinecone" ? windows : 0
        expect(first.usage.searchUnits).toBe(billed)
        if (s.cache !== false && c.documents > 0) {
          // Everything the first run paid for, the second reads: nothing is sent again.
          expect(second.usage).toMatchObject({ requests: 0, sentDocuments: 0, cachedDocuments: c.documents })
        }
      }),
    { timeout: 240_000, fastCheck: { numRuns: 120 } }
  )

  it.effect.prop(
    "(a) two configurations on one store: each reads only entries of its own identity",
    [setup, setup, call],
    ([a0, b0, c]) =>
      Effect.gen(function* () {
        const a: Setup = { ...a0, invalid: undefined, merge: "score", cache: a0.cache === false ? true : a0.cache }
        // Same provider, so that model, endpoint, key and scoring options are what may differ.
        const b: Setup = {
          ...b0,
          system: a.system,
          invalid: undefined,
          merge: "score",
          cache: b0.cache === false ? true : b0.cache
        }
        const store = Layer.succeed(ScoreCache.ScoreCacheStore, yield* ScoreCache.makeMemory())
        const world = World.make()
        const withStore = (s: Setup) => layerOf(s).pipe(Layer.provide(store))
        const ra = yield* Effect.flatten(built(withStore(a), world))
        const rb = yield* Effect.flatten(built(withStore(b), world))
        const request = { ...requestOf(a, c), model: undefined }
        yield* ra.rerank(request)
        const fromB = yield* rb.rerank(request)
        const alone = yield* Effect.flatten(built(layerOf(b, { cache: false }), World.make()))
        expect(visible(fromB)).toEqual(visible(yield* alone.rerank(request)))
        // TEI sends no model: its scope still holds the model the reranker names.
        const sameScore =
          modelOf(a) === modelOf(b) && a.host === b.host && hasScoring(a) === hasScoring(b) && a.scores === b.scores
        // Scores of keys that opt in to sharing live in one pool, apart from every key's own.
        const shared = (s: Setup) => s.cache === "shared"
        const sameKey = shared(a) === shared(b) && (a.key === b.key || shared(a))
        const distinct = new Set(request.documents).size
        expect(fromB.usage.cachedDocuments ?? 0).toBe(sameScore && sameKey ? distinct : 0)
      }),
    { timeout: 240_000, fastCheck: { numRuns: 120 } }
  )

  it.effect.prop(
    "(c) a fallback chain run twice gives the same answer and warnings; the chain answers when the first is down",
    [setup, setup, call],
    ([a0, b0, c]) =>
      Effect.gen(function* () {
        const down = { ...a0, host: "a" as const, invalid: undefined, merge: "score" as const }
        const up = { ...b0, host: "b" as const, invalid: undefined, merge: "score" as const }
        const world = World.make((seen) =>
          seen.host.endsWith("-a.test") ? Scripted.json(503, { message: "down" }) : undefined
        )
        const chain = Reranker.layerFallback([layerOf(down), layerOf(up)])
        const reranker = yield* Effect.flatten(built(chain, world))
        const request = { ...requestOf(up, c), model: undefined }
        const once = reranker.rerank(request)
        const first = yield* once
        const second = yield* once
        expect(visible(second)).toEqual(visible(first))
        expect(second.warnings).toEqual(first.warnings)
        if (c.documents > 0) {
          expect(first.model).toBe(modelOf(up))
          expect(first.warnings.filter((w) => w.startsWith("answered by"))).toEqual([
            `answered by ${modelOf(up)} (fallback 2 of 2) after ServiceError`
          ])
        }
      }),
    { timeout: 240_000, fastCheck: { numRuns: 60 } }
  )
})
