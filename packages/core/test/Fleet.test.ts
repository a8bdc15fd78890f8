/**
 * The shared quota and the score cache, in memory: pacing with TestClock, cached answers identical to fresh ones
 * (a property test), what is sent, expiry, eviction, and a store that fails.
 */
import { Quota, Reranker, ScoreCache } from "@effect-rerank/core"
import * as RateLimiter from "@effect/experimental/RateLimiter"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Context, Duration, Effect, Fiber, FastCheck, HashMap, Layer, Logger, Option, TestClock } from "effect"
import { failureOf } from "../../../test-utils/Outcome.js"
import { recordingTracer } from "../../../test-utils/Spans.js"

/** A pointwise provider that records what it is sent and when. */
const recording = (score: (query: string, text: string) => number = (q, t) => similarity(q, t)) => {
  const sent: Array<{ readonly at: number; readonly documents: ReadonlyArray<string> }> = []
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "recording",
    model: "rec-1",
    maxDocumentsPerRequest: 4,
    pointwise: true,
    rerankWindow: (request) =>
      Effect.map(Clock.currentTimeMillis, (at) => {
        sent.push({ at, documents: request.documents })
        return { results: request.documents.map((text, index) => ({ index, score: score(request.query, text) })) }
      })
  }
  return { provider, sent }
}

const similarity = (query: string, text: string) => {
  const words = new Set(query.split(" "))
  return text.split(" ").filter((w) => words.has(w)).length / (1 + text.length / 50)
}

describe("the score cache", () => {
  it.effect("a second call sends only the documents not seen; usage says what came from the cache", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const reranker = yield* Reranker.make(provider, { cache: true })
      const first = yield* reranker.rerank({ query: "red fox", documents: ["a red fox", "a blue bird", "red"] })
      expect(first.usage).toEqual({ searchUnits: 0, requests: 1, cachedDocuments: 0, sentDocuments: 3 })
      const second = yield* reranker.rerank({
        query: "red fox",
        documents: ["red", "a red fox", "the fox", "a blue bird"]
      })
      expect(second.usage).toEqual({ searchUnits: 0, requests: 1, cachedDocuments: 3, sentDocuments: 1 })
      expect(sent.map((s) => s.documents)).toEqual([["a red fox", "a blue bird", "red"], ["the fox"]])
      const third = yield* reranker.rerank({ query: "red fox", documents: ["the fox", "red"] })
      expect(third.usage).toEqual({ searchUnits: 0, requests: 0, cachedDocuments: 2, sentDocuments: 0 })
      expect(sent.length).toBe(2)
      // Another query is another key.
      yield* reranker.rerank({ query: "blue bird", documents: ["red"] })
      expect(sent.length).toBe(3)
    })
  )

  it.effect.prop(
    "cached answers are identical to fresh ones, whatever was cached before and however the windows fall",
    {
      documents: FastCheck.array(
        FastCheck.constantFrom("red fox", "a red fox jumps", "blue", "fox red red", "bird", "x"),
        {
          minLength: 1,
          maxLength: 14
        }
      ),
      earlier: FastCheck.array(
        FastCheck.array(FastCheck.constantFrom("red fox", "blue", "bird", "x", "fox"), { maxLength: 6 }),
        {
          maxLength: 3
        }
      ),
      topN: FastCheck.option(FastCheck.integer({ min: 1, max: 6 }), { nil: undefined }),
      minScore: FastCheck.option(FastCheck.constantFrom(0, 0.5, 1), { nil: undefined })
    },
    ({ documents, earlier, minScore, topN }) =>
      Effect.gen(function* () {
        const fresh = yield* Reranker.make(recording().provider)
        const cached = yield* Reranker.make(recording().provider, { cache: { ttl: "1 hour" } })
        for (const before of earlier) {
          if (before.length > 0) yield* cached.rerank({ query: "red fox", documents: before, topN: 2 })
        }
        const request = { query: "red fox", documents, topN, minScore }
        const a = yield* fresh.rerank(request)
        const b = yield* cached.rerank(request)
        expect(b.results).toEqual(a.results)
        expect(b.model).toBe(a.model)
        expect((b.usage.cachedDocuments ?? 0) + (b.usage.sentDocuments ?? 0)).toBe(documents.length)
      }),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect("entries expire after their TTL", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const reranker = yield* Reranker.make(provider, { cache: { ttl: "10 minutes" } })
      yield* reranker.rerank({ query: "q", documents: ["a", "b"] })
      yield* TestClock.adjust("9 minutes")
      yield* reranker.rerank({ query: "q", documents: ["a", "b"] })
      expect(sent.length).toBe(1)
      yield* TestClock.adjust("2 minutes")
      yield* reranker.rerank({ query: "q", documents: ["a", "b"] })
      expect(sent.length).toBe(2)
    })
  )

  it.effect("the memory store: an entry lives exactly its TTL; a rewrite refreshes it and its place", () =>
    Effect.gen(function* () {
      const store = yield* ScoreCache.makeMemory(2)
      yield* store.setMany([["a", 1]], Duration.seconds(10))
      yield* TestClock.adjust(Duration.millis(9999))
      expect(yield* store.getMany(["a"])).toEqual([Option.some(1)])
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* store.getMany(["a"])).toEqual([Option.none()])

      yield* store.setMany(
        [
          ["x", 1],
          ["y", 2]
        ],
        Duration.hours(1)
      )
      // Rewriting x makes y the least recently used; a third entry then evicts y.
      yield* store.setMany([["x", 3]], Duration.hours(1))
      yield* store.setMany([["z", 4]], Duration.hours(1))
      expect(yield* store.getMany(["x", "y", "z"])).toEqual([Option.some(3), Option.none(), Option.some(4)])
    })
  )

  it.effect("a store provided under the tag's key is found, whichever copy of the package provided it", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const store = yield* ScoreCache.makeMemory()
      const otherCopy = Context.GenericTag<ScoreCache.ScoreCacheStore, ScoreCache.Store>(
        "@effect-rerank/core/ScoreCache/Store"
      )
      const first = yield* Reranker.make(provider, { cache: true }).pipe(Effect.provideService(otherCopy, store))
      const second = yield* Reranker.make(provider, { cache: true }).pipe(Effect.provideService(otherCopy, store))
      yield* first.rerank({ query: "q", documents: ["a"] })
      yield* second.rerank({ query: "q", documents: ["a"] })
      expect(sent.length).toBe(1)
    })
  )

  it.effect("the cache's TTL is checked when the reranker is built", () =>
    Effect.gen(function* () {
      for (const [ttl, message] of [
        [0, "must be a finite duration longer than zero, got 0"],
        ["soon", "must be a duration, got soon"],
        [Duration.infinity, "must be a finite duration longer than zero, got Infinity"],
        [-5, "must be a finite duration longer than zero, got -5"]
      ] as const) {
        const error = yield* Effect.flip(Reranker.make(recording().provider, { cache: { ttl: ttl as any } }))
        expect(String(error)).toBe(`(Invalid data at cache.ttl: "${message}")`)
      }
      const shared = yield* Effect.flip(
        Reranker.make(recording().provider, { cache: { shareAcrossKeys: "yes" as any } })
      )
      expect(String(shared)).toBe('(Invalid data at cache.shareAcrossKeys: "must be true or false, got yes")')
    })
  )

  it.effect("the memory store is bounded: past its size the least recently used go first", () =>
    Effect.gen(function* () {
      const store = yield* ScoreCache.makeMemory(2)
      yield* store.setMany(
        [
          ["a", 1],
          ["b", 2]
        ],
        Duration.hours(1)
      )
      yield* store.getMany(["a"])
      yield* store.setMany([["c", 3]], Duration.hours(1))
      expect(yield* store.getMany(["a", "b", "c"])).toEqual([Option.some(1), Option.none(), Option.some(3)])
    })
  )

  it.effect(
    "a store that cannot answer: the whole call goes to the provider, with a warning, never a wrong answer",
    () =>
      Effect.gen(function* () {
        const { provider, sent } = recording()
        const broken: ScoreCache.Store = {
          getMany: () => Effect.fail(new ScoreCache.StoreError({ reason: "connection refused" })),
          setMany: () => Effect.fail(new ScoreCache.StoreError({ reason: "connection refused" }))
        }
        const reranker = yield* Reranker.make(provider, { cache: true }).pipe(
          Effect.provideService(ScoreCache.ScoreCacheStore, broken)
        )
        const result = yield* reranker.rerank({ query: "red fox", documents: ["red fox", "blue"] })
        expect(result.results.map((r) => r.index)).toEqual([0, 1])
        expect(result.warnings).toEqual([Reranker.cacheUnavailableWarning])
        expect(sent.length).toBe(1)
      })
  )

  it.effect("two in-process providers on one store, same model name, other systems: neither reads the other's", () =>
    Effect.gen(function* () {
      const store = Layer.succeed(ScoreCache.ScoreCacheStore, yield* ScoreCache.makeMemory())
      const first = recording(() => 0.9)
      const second = recording(() => 0.1)
      const a = yield* Reranker.make(first.provider, { cache: true }).pipe(Effect.provide(store))
      const b = yield* Reranker.make({ ...second.provider, system: "other" }, { cache: true }).pipe(
        Effect.provide(store)
      )
      const request = { query: "red fox", documents: ["a red fox", "blue"] }
      yield* a.rerank(request)
      const fromB = yield* b.rerank(request)
      expect(fromB.usage).toMatchObject({ cachedDocuments: 0, sentDocuments: 2 })
      expect(fromB.results.map((r) => r.score)).toEqual([0.1, 0.1])
      // The same provider again reads its own.
      const again = yield* Reranker.make(first.provider, { cache: true }).pipe(Effect.provide(store))
      expect((yield* again.rerank(request)).usage).toMatchObject({ cachedDocuments: 2, sentDocuments: 0 })
    })
  )

  it.effect("refused where it cannot be exact: a provider that is not pointwise, or an RRF merge", () =>
    Effect.gen(function* () {
      const listwise = { ...recording().provider, pointwise: false }
      const notPointwise = yield* Effect.flip(Reranker.make(listwise, { cache: true }))
      expect(String(notPointwise)).toContain("cache")
      expect(String(notPointwise)).toContain("does not score each document alone")
      const rrf = yield* Effect.flip(Reranker.make(recording().provider, { cache: true, merge: "rrf" }))
      expect(String(rrf)).toContain('needs merge: "score"')
      for (const error of [notPointwise, rrf]) expect(error).toMatchObject({ _op: "InvalidData", path: ["cache"] })
    })
  )

  it.effect("a store that answers but cannot keep: the answer stands, with a warning that says so", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const readOnly: ScoreCache.Store = {
        getMany: (keys) => Effect.succeed(keys.map(() => Option.none())),
        setMany: () => Effect.fail(new ScoreCache.StoreError({ reason: "READONLY replica" }))
      }
      const reranker = yield* Reranker.make(provider, { cache: true }).pipe(
        Effect.provideService(ScoreCache.ScoreCacheStore, readOnly)
      )
      const result = yield* reranker.rerank({ query: "red fox", documents: ["blue", "red fox"] })
      expect(result.results.map((r) => r.index)).toEqual([1, 0])
      expect(result.warnings).toEqual(["the score cache's store could not be reached: scores were not reused or kept"])
      expect(Reranker.cacheUnavailableWarning).toBe(result.warnings[0])
      expect(sent.length).toBe(1)
    })
  )

  it.effect("the call's span counts the cache's hits", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recordingTracer
      const reranker = yield* Reranker.make(recording().provider, { cache: true })
      yield* reranker.rerank({ query: "q", documents: ["a", "b"] })
      yield* reranker.rerank({ query: "q", documents: ["a", "b", "c"] }).pipe(Effect.withTracer(tracer))
      const span = spans.find((s) => s.name === "Reranker.rerank")!
      expect(span.attributes.get("rerank.cache.hits")).toBe(2)
      expect(span.attributes.get("rerank.windows")).toBe(1)
    })
  )

  it.effect("every document cached: no request at all, and the ranking merges the hits alone", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const reranker = yield* Reranker.make(provider, { cache: true })
      const documents = ["red", "a red fox", "blue", "red fox"]
      const fresh = yield* reranker.rerank({ query: "red fox", documents })
      const cached = yield* reranker.rerank({ query: "red fox", documents, topN: 3 })
      expect(sent.length).toBe(1)
      expect(cached.usage).toEqual({ searchUnits: 0, requests: 0, cachedDocuments: 4, sentDocuments: 0 })
      expect(cached.results).toEqual(fresh.results.slice(0, 3))
    })
  )
})

describe("the quota", () => {
  it.effect("attempts wait for a token: 2 a second is a burst of 2, then one every 500 ms", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording()
      const reranker = yield* Reranker.make(provider, { rateLimit: { limit: 2, window: "1 second" }, concurrency: 6 })
      const documents = Array.from({ length: 24 }, (_, i) => `document ${i}`)
      const fiber = yield* Effect.fork(reranker.rerank({ query: "q", documents }))
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      expect(result.usage.requests).toBe(6)
      const times = sent.map((s) => s.at).sort((a, b) => a - b)
      expect(times).toEqual([0, 0, 500, 1000, 1500, 2000])
    })
  )

  it.effect("two rerankers on one store share one budget (the key is the provider's quota name)", () =>
    Effect.gen(function* () {
      const a = recording()
      const b = recording()
      const store = yield* Layer.build(RateLimiter.layerStoreMemory).pipe(Effect.scoped)
      const options = { rateLimit: { limit: 1, window: "1 second" as const } }
      const first = yield* Reranker.make(a.provider, options).pipe(Effect.provide(store))
      const second = yield* Reranker.make(b.provider, options).pipe(Effect.provide(store))
      const fiber = yield* Effect.fork(
        Effect.all([first.rerank({ query: "q", documents: ["x"] }), second.rerank({ query: "q", documents: ["y"] })], {
          concurrency: 2
        })
      )
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      expect([...a.sent, ...b.sent].map((s) => s.at).sort((x, y) => x - y)).toEqual([0, 1000])
    })
  )

  it.effect("a store that fails: proceed (default) sends unpaced with a warning; fail makes a TransportError", () =>
    Effect.gen(function* () {
      const failing = Layer.succeed(RateLimiter.RateLimiterStore, {
        fixedWindow: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "redis down" })),
        tokenBucket: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "redis down" }))
      })
      const proceed = yield* Reranker.make(recording().provider, { rateLimit: { limit: 1, window: "1 second" } }).pipe(
        Effect.provide(failing)
      )
      const result = yield* proceed.rerank({ query: "q", documents: ["x"] })
      expect(result.warnings).toEqual(["the shared quota's store could not be reached: this call was sent unpaced"])
      expect(Quota.unpacedWarning).toBe(result.warnings[0])
      const strict = yield* Reranker.make(recording().provider, {
        rateLimit: { limit: 1, window: "1 second", onStoreError: "fail" },
        retry: { maxRetries: 0 }
      }).pipe(Effect.provide(failing))
      const error = yield* failureOf(strict.rerank({ query: "q", documents: ["x"] }))
      expect(error._tag).toBe("TransportError")
      expect(error._tag === "TransportError" && error.reason).toBe(
        "the shared quota's store could not be reached: redis down"
      )
    })
  )

  it.effect("options are checked when the reranker is built, naming the option", () =>
    Effect.gen(function* () {
      const bad = (rateLimit: any) =>
        Effect.map(Effect.flip(Reranker.make(recording().provider, { rateLimit })), String)
      const second = "1 second"
      expect(yield* bad({ limit: 0, window: second })).toBe(
        '(Invalid data at rateLimit.limit: "must be an integer >= 1, got 0")'
      )
      expect(yield* bad({ limit: 2.5, window: second })).toBe(
        '(Invalid data at rateLimit.limit: "must be an integer >= 1, got 2.5")'
      )
      expect(yield* bad({ limit: 5, window: "soon" })).toBe(
        '(Invalid data at rateLimit.window: "must be a duration, got soon")'
      )
      expect(yield* bad({ limit: 5, window: "0 seconds" })).toBe(
        '(Invalid data at rateLimit.window: "must be a finite duration longer than zero, got 0 seconds")'
      )
      expect(yield* bad({ limit: 5, window: Duration.infinity })).toContain(
        'rateLimit.window: "must be a finite duration longer than zero'
      )
      expect(yield* bad({ limit: 5, window: second, onStoreError: "retry" })).toBe(
        '(Invalid data at rateLimit.onStoreError: "must be one of \"proceed\", \"fail\", got retry")'
      )
      for (const [key, shown] of [
        ["", '""'],
        ["  ", '"  "'],
        [42, "42"]
      ]) {
        expect(yield* bad({ limit: 5, window: second, key })).toBe(
          `(Invalid data at rateLimit.key: "must be a non-empty string, got ${shown}")`
        )
      }
      for (const onStoreError of [undefined, "proceed", "fail"] as const) {
        const built = yield* Effect.either(
          Reranker.make(recording().provider, { rateLimit: { limit: 1, window: Duration.millis(1), onStoreError } })
        )
        expect(built._tag).toBe("Right")
      }
    })
  )

  it.effect("the budget's name in the store: the provider's quota name, or the key given; the bucket's shape", () =>
    Effect.gen(function* () {
      const asked: Array<{ key: string; limit: number; tokens: number; refillMillis: number; overflow: boolean }> = []
      const memory = yield* Layer.build(RateLimiter.layerStoreMemory).pipe(
        Effect.map((context) => Context.get(context, RateLimiter.RateLimiterStore))
      )
      const recordingStore = Layer.succeed(RateLimiter.RateLimiterStore, {
        ...memory,
        tokenBucket: (options) => {
          asked.push({
            key: options.key,
            limit: options.limit,
            tokens: options.tokens,
            refillMillis: Duration.toMillis(options.refillRate),
            overflow: options.allowOverflow
          })
          return memory.tokenBucket(options)
        }
      })
      const named: Reranker.Provider = {
        ...recording().provider,
        identity: { endpoint: "https://api.example.com/rerank", key: "0123456789abcdef" }
      }
      const byProvider = yield* Reranker.make(named, { rateLimit: { limit: 4, window: "2 seconds" } }).pipe(
        Effect.provide(recordingStore)
      )
      const byKey = yield* Reranker.make(named, { rateLimit: { limit: 4, window: "2 seconds", key: "team-a" } }).pipe(
        Effect.provide(recordingStore)
      )
      const unnamed = yield* Reranker.make(recording().provider, { rateLimit: { limit: 4, window: "2 seconds" } }).pipe(
        Effect.provide(recordingStore)
      )
      for (const reranker of [byProvider, byKey, unnamed]) yield* reranker.rerank({ query: "q", documents: ["x"] })
      expect(asked).toEqual([
        {
          key: "effect-rerank:recording:api.example.com:0123456789abcdef",
          limit: 4,
          tokens: 1,
          refillMillis: 500,
          overflow: true
        },
        { key: "effect-rerank:team-a", limit: 4, tokens: 1, refillMillis: 500, overflow: true },
        { key: "effect-rerank:recording", limit: 4, tokens: 1, refillMillis: 500, overflow: true }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("an unreachable store is logged as a warning with the store's message", () =>
    Effect.gen(function* () {
      const logged: Array<unknown> = []
      const logger = Logger.make(({ annotations, logLevel, message }) => {
        logged.push([logLevel.label, message, Object.fromEntries(HashMap.toEntries(annotations))])
      })
      const failing = Layer.succeed(RateLimiter.RateLimiterStore, {
        fixedWindow: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "connection refused" })),
        tokenBucket: () => Effect.fail(new RateLimiter.RateLimitStoreError({ message: "connection refused" }))
      })
      const reranker = yield* Reranker.make(recording().provider, { rateLimit: { limit: 1, window: "1 second" } }).pipe(
        Effect.provide(failing)
      )
      yield* reranker
        .rerank({ query: "q", documents: ["x"] })
        .pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(logged).toEqual([
        ["WARN", ["rate limiter store unavailable; sending unpaced"], { reason: "connection refused" }]
      ])
    })
  )
})
