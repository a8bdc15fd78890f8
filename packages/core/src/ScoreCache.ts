/**
 * Scores already paid for, remembered. A pointwise reranker (every provider here: each document is scored alone
 * against the query) gives a document the same score for the same query, model and scoring options, so a call looks
 * every document up first and sends only the misses. Keys are SHA-256 hashes of the provider's identity (system,
 * endpoint, model, scoring options and, unless `shareAcrossKeys`, its key's fingerprint), the query and the document
 * text: neither texts nor keys are stored. In memory (bounded, with a TTL) unless a
 * `ScoreCache.Store` is provided: `layerPersistence` over `@effect/experimental`'s `BackingPersistence` (its Redis
 * layer) shares it between processes.
 *
 * @since 0.2.0
 */
import type * as Persistence from "@effect/experimental/Persistence"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Hash from "./internal/hash.js"
import * as OptionSchema from "./OptionSchema.js"
import type * as Provider from "./Provider.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** How long a score is kept. Default 1 day. */
  readonly ttl?: Duration.DurationInput | undefined
  /**
   * Share scores between callers of the same endpoint and model who use different keys. Off by default: a tenant
   * could otherwise learn what another tenant asked (a hit bills nothing and comes back at once). Turn it on only
   * when every key belongs to the same party.
   */
  readonly shareAcrossKeys?: boolean | undefined
}

/**
 * @since 0.2.0
 * @category errors
 */
export class StoreError extends Data.TaggedError("ScoreCacheStoreError")<{ readonly reason: string }> {}

/**
 * Where scores live: looked up and written many at a time.
 *
 * @since 0.2.0
 * @category models
 */
export interface Store {
  readonly getMany: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Option.Option<number>>, StoreError>
  readonly setMany: (
    entries: ReadonlyArray<readonly [key: string, score: number]>,
    ttl: Duration.Duration
  ) => Effect.Effect<void, StoreError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class ScoreCacheStore extends Context.Tag("@effect-rerank/core/ScoreCache/Store")<ScoreCacheStore, Store>() {}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = { ttl: Duration.days(1), maxEntries: 100_000, shareAcrossKeys: false } as const

/**
 * A bounded in-memory store: least recently used entries go first past `maxEntries`, and entries expire after their
 * TTL (by the `Clock`, so tests drive it with `TestClock`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory = (maxEntries: number = defaults.maxEntries): Effect.Effect<Store> =>
  Effect.map(Effect.clock, (clock) => {
    // A Map keeps insertion order: re-inserting on a hit makes its first key the least recently used.
    const entries = new Map<string, readonly [score: number, expires: number]>()
    return {
      getMany: (keys) =>
        Effect.sync(() => {
          const now = clock.unsafeCurrentTimeMillis()
          return keys.map((key) => {
            const entry = entries.get(key)
            if (entry === undefined) return Option.none()
            entries.delete(key)
            if (entry[1] <= now) return Option.none()
            entries.set(key, entry)
            return Option.some(entry[0])
          })
        }),
      setMany: (list, ttl) =>
        Effect.sync(() => {
          const expires = clock.unsafeCurrentTimeMillis() + Duration.toMillis(ttl)
          for (const [key, score] of list) {
            entries.delete(key)
            entries.set(key, [score, expires])
          }
          for (const key of entries.keys()) {
            if (entries.size <= maxEntries) break
            entries.delete(key)
          }
        })
    }
  })

/**
 * A stored value that is not JSON (the backing store's `JSON.parse` threw); a store that cannot be reached fails
 * with another cause.
 */
const notJson = (error: Persistence.PersistenceError): boolean => error.cause instanceof SyntaxError

/**
 * @since 0.2.0
 * @category layers
 */
export const layerMemory = (maxEntries?: number): Layer.Layer<ScoreCacheStore> =>
  Layer.effect(ScoreCacheStore, makeMemory(maxEntries))

/**
 * A store over `@effect/experimental`'s `BackingPersistence` (its Redis layer, `Persistence/Redis`'s `layer`): one
 * `MGET` per call for the lookups and one `MULTI` for the writes, shared by every process on that Redis.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerPersistence = (
  storeId = "effect-rerank:scores"
): Layer.Layer<ScoreCacheStore, never, Persistence.BackingPersistence> =>
  Layer.scoped(
    ScoreCacheStore,
    Effect.gen(function* () {
      // Loaded only by a user of this layer, who has @effect/experimental installed for its Redis store anyway.
      const { BackingPersistence } = yield* Effect.promise(() => import("@effect/experimental/Persistence"))
      const backing = yield* BackingPersistence
      const store = yield* backing.make(storeId)
      const failed = (error: Persistence.PersistenceError) => new StoreError({ reason: error.message })
      const score = (value: Option.Option<unknown>) =>
        // Number.isFinite is false for anything but a finite number (a string "0.5" included: it does not coerce).
        Option.filter(value, (score): score is number => Number.isFinite(score))
      // The backing store parses every value of an MGET at once: one value that is not JSON (written by something
      // else under this prefix) fails them all. Then each key is read alone, and only the unreadable ones are misses.
      const readEach = (keys: ReadonlyArray<string>) =>
        Effect.forEach(keys, (key) => Effect.catchIf(store.get(key), notJson, () => Effect.succeedNone), {
          concurrency: 16
        })
      return {
        getMany: (keys) =>
          keys.length === 0
            ? Effect.succeed([])
            : store.getMany([...keys]).pipe(
                Effect.catchIf(notJson, () => readEach(keys)),
                Effect.mapBoth({ onFailure: failed, onSuccess: (values) => values.map(score) })
              ),
        setMany: (list, ttl) =>
          list.length === 0
            ? Effect.void
            : Effect.mapError(
                store.setMany(list.map(([key, score]) => [key, score, Option.some(ttl)] as const)),
                failed
              )
      } satisfies Store
    })
  )

/**
 * The options' schema.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  ttl: Schema.optional(OptionSchema.FiniteDuration),
  shareAcrossKeys: Schema.optional(OptionSchema.Flag)
})

const decodeOptions = OptionSchema.decoder(OptionsSchema, "cache")

/**
 * The checked options with their defaults.
 *
 * @since 0.2.0
 * @category models
 */
export interface Resolved {
  readonly ttl: Duration.Duration
  readonly shareAcrossKeys: boolean
}

/**
 * Checks the options (a `ConfigError` naming `cache.ttl` or `cache.shareAcrossKeys`) and fills in the defaults.
 *
 * @since 0.2.0
 * @category constructors
 */
export const validate = (options: Options): Either.Either<Resolved, ConfigError.ConfigError> =>
  Either.map(decodeOptions(options), (checked) => ({
    ttl: checked.ttl ?? defaults.ttl,
    shareAcrossKeys: checked.shareAcrossKeys ?? defaults.shareAcrossKeys
  }))

/**
 * The keys of a call's documents under its scope (`Provider.scopeOf`): one hash state for what they share
 * (identity and query), copied for each text.
 *
 * @since 0.2.0
 * @category utils
 */
export const keys = (scope: Provider.Scope, query: string, texts: ReadonlyArray<string>): Array<string> =>
  Hash.keysUnder(JSON.stringify([scope.system, scope.endpoint, scope.model, scope.scoring, scope.key, query]), texts)

/**
 * The store in context, or a bounded in-memory one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const storeFromContext: Effect.Effect<Store> = Effect.flatMap(
  Effect.serviceOption(ScoreCacheStore),
  Option.match({ onNone: () => makeMemory(), onSome: Effect.succeed })
)
