/**
 * The quota and the cache shared through a real Redis (`redis-server`, started per test on a free port with
 * persistence off): two rerankers with their own connections, as two processes would have, share one budget and one
 * cache; an outage gives the documented behaviour.
 */
import { Reranker, ScoreCache } from "@effect-rerank/core"
import * as PersistenceRedis from "@effect/experimental/Persistence/Redis"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Context, Duration, Effect, Either, Layer, Option } from "effect"
import { Redis as IORedis } from "ioredis"
import * as Redis from "../../../test-utils/Redis.js"

const recording = () => {
  const sent: Array<{ readonly at: number; readonly documents: ReadonlyArray<string> }> = []
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "recording",
    model: "rec-1",
    pointwise: true,
    rerankWindow: (request) =>
      Effect.map(Clock.currentTimeMillis, (at) => {
        sent.push({ at, documents: request.documents })
        return { results: request.documents.map((text, index) => ({ index, score: text.length })) }
      })
  }
  return { provider, sent }
}

/**
 * A connection of its own, as a separate process would have. `maxRetriesPerRequest: 0`: while Redis is down a
 * command fails after one reconnection attempt instead of waiting in ioredis's queue for Redis to come back.
 */
const connection = (port: number) => ({ host: "127.0.0.1", port, maxRetriesPerRequest: 0 })

/** Built for the test's scope: the connection lives as long as the reranker using it (as in a layered app). */
const quotaStore = (port: number) => Layer.build(RateLimiterRedis.layerStore({ ...connection(port), prefix: "test:" }))
const cacheStore = (port: number) =>
  Layer.build(ScoreCache.layerPersistence().pipe(Layer.provide(PersistenceRedis.layer(connection(port)))))

describe.skipIf(!Redis.available)("through a real Redis", () => {
  it.scopedLive("two rerankers, each with its own connection, share one quota: 3 a second means the 7th waits", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.start
      const a = recording()
      const b = recording()
      const options = { rateLimit: { limit: 3, window: "1 second" as const } }
      const first = yield* Reranker.make(a.provider, options).pipe(Effect.provide(yield* quotaStore(redis.port)))
      const second = yield* Reranker.make(b.provider, options).pipe(Effect.provide(yield* quotaStore(redis.port)))
      const start = Date.now()
      yield* Effect.all(
        Array.from({ length: 6 }, (_, i) =>
          (i % 2 === 0 ? first : second).rerank({ query: "q", documents: [`d${i}`] })
        ),
        { concurrency: "unbounded" }
      )
      // A full bucket of 3, then one token every 333 ms: 6 calls need at least 1 s between them all.
      const times = [...a.sent, ...b.sent].map((s) => s.at - start).sort((x, y) => x - y)
      expect(times.length).toBe(6)
      expect(times[5] - times[0]).toBeGreaterThanOrEqual(900)
      expect(a.sent.length).toBe(3)
      expect(b.sent.length).toBe(3)
    })
  )

  it.scopedLive("two rerankers share one score cache: what one paid for, the other does not send", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.start
      const a = recording()
      const b = recording()
      const first = yield* Reranker.make(a.provider, { cache: true }).pipe(
        Effect.provide(yield* cacheStore(redis.port))
      )
      const second = yield* Reranker.make(b.provider, { cache: true }).pipe(
        Effect.provide(yield* cacheStore(redis.port))
      )
      const fresh = yield* first.rerank({ query: "q", documents: ["one", "three", "fifteen"] })
      const reused = yield* second.rerank({ query: "q", documents: ["fifteen", "one", "four"] })
      expect(b.sent.map((s) => s.documents)).toEqual([["four"]])
      expect(reused.usage).toMatchObject({ cachedDocuments: 2, sentDocuments: 1 })
      expect(reused.results.map((r) => [r.document, r.score])).toEqual([
        ["fifteen", 7],
        ["four", 4],
        ["one", 3]
      ])
      expect(fresh.results.map((r) => r.score)).toEqual([7, 5, 3])
    })
  )

  it.scopedLive("the cache's store as a user calls it: empty lists, TTLs, and values it did not write", () =>
    Effect.gen(function* () {
      const redis = yield* Redis.start
      const store = Context.get(yield* cacheStore(redis.port), ScoreCache.ScoreCacheStore)
      const raw = yield* Effect.acquireRelease(
        Effect.sync(() => new IORedis({ ...connection(redis.port), lazyConnect: false })),
        (client) => Effect.promise(() => client.quit())
      )
      expect(yield* store.getMany([])).toEqual([])
      yield* store.setMany([], Duration.hours(1))
      yield* store.setMany(
        [
          ["k1", 0.25],
          ["k2", -3]
        ],
        Duration.minutes(5)
      )
      // Kept under the store's prefix, with the TTL given (Redis counts it down in milliseconds).
      const ttl = yield* Effect.promise(() => raw.pttl("effect-rerank:scores:k1"))
      expect(ttl).toBeGreaterThan(4 * 60 * 1000)
      expect(ttl).toBeLessThanOrEqual(5 * 60 * 1000)
      // Whatever else sits under those names is not a score.
      yield* Effect.promise(() =>
        raw.mset(
          "effect-rerank:scores:text",
          '"0.5"',
          "effect-rerank:scores:object",
          '{"score":1}',
          "effect-rerank:scores:bad",
          "{"
        )
      )
      const found = yield* Effect.either(store.getMany(["k1", "k2", "text", "object", "missing"]))
      expect(found).toEqual(
        Either.right([Option.some(0.25), Option.some(-3), Option.none(), Option.none(), Option.none()])
      )
      // A value that is not JSON is a miss; it does not take the other keys' hits with it.
      const beside = yield* Effect.either(store.getMany(["k1", "bad", "k2", "missing"]))
      expect(beside).toEqual(Either.right([Option.some(0.25), Option.none(), Option.some(-3), Option.none()]))
      expect(yield* store.getMany(["bad"])).toEqual([Option.none()])
    })
  )

  it.scopedLive(
    "Redis down: the quota lets the call through unpaced with a warning (or fails if told); the cache falls back to the provider",
    () =>
      Effect.gen(function* () {
        const redis = yield* Redis.start
        const { provider, sent } = recording()
        const stores = Context.merge(yield* quotaStore(redis.port), yield* cacheStore(redis.port))
        const lenient = yield* Reranker.make(provider, {
          rateLimit: { limit: 5, window: "1 second" },
          cache: true
        }).pipe(Effect.provide(stores))
        const strict = yield* Reranker.make(provider, {
          rateLimit: { limit: 5, window: "1 second", onStoreError: "fail" },
          retry: { maxRetries: 0 }
        }).pipe(Effect.provide(stores))
        yield* lenient.rerank({ query: "q", documents: ["a"] })
        yield* redis.stop
        const during = yield* lenient.rerank({ query: "q", documents: ["a", "bb"] })
        expect(during.results.map((r) => r.document)).toEqual(["bb", "a"])
        expect(during.warnings).toContain(Reranker.cacheUnavailableWarning)
        expect(during.warnings).toContain("the shared quota's store could not be reached: this call was sent unpaced")
        expect(sent.at(-1)?.documents).toEqual(["a", "bb"])
        const refused = yield* Effect.flip(strict.rerank({ query: "q", documents: ["a"] }))
        expect(refused._tag).toBe("TransportError")
        // The store itself says so (a lookup is not taken for a miss, as a value that is not JSON is).
        const lookup = yield* Effect.flip(Context.get(stores, ScoreCache.ScoreCacheStore).getMany(["a"]))
        expect(lookup._tag).toBe("ScoreCacheStoreError")
        // Back up, so the connections close cleanly (ioredis's quit waits for a server).
        yield* redis.start
      })
  )
})
