/**
 * Redis-backed stores for a fleet (`rerank serve --upstream`, or your own app): the shared quota's
 * `RateLimiterStore` and the shared `ScoreCache.ScoreCacheStore`, from a `redis://` URL, over `@effect/experimental`'s
 * Redis layers (ioredis 5). Commands fail fast while Redis is down (no offline queue waiting for it to come back), so
 * the quota's and the cache's documented fallbacks apply instead of a hang.
 *
 * @since 0.2.0
 */
import { ScoreCache } from "@effect-rerank/core"
import * as PersistenceRedis from "@effect/experimental/Persistence/Redis"
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { Redis, type RedisOptions } from "ioredis"

/**
 * Hooks on a store's connection: ioredis reconnects by itself, and says nothing a caller can act on, so a gateway
 * decides what to tell its operator.
 *
 * @since 0.2.0
 * @category models
 */
export interface Watch {
  /** A connection attempt failed; `times` counts the failures since the connection last worked. */
  readonly onUnreachable?: ((times: number) => void) | undefined
}

/** Between reconnection attempts: quick at first, then every 2 s, so a Redis back up is used again soon. */
const reconnectDelay = (times: number) => Math.min(times * 100, 2_000)

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` URL (`rediss://` for TLS).
 *
 * @since 0.2.0
 * @category constructors
 */
export const optionsFromUrl = (
  url: string,
  watch: Watch = {}
): Either.Either<RedisOptions, ConfigError.ConfigError> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Either.left(ConfigError.InvalidData(["redis"], "is not a URL (redis://host:port)"))
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    return Either.left(
      ConfigError.InvalidData(["redis"], `must be a redis:// or rediss:// URL, got ${parsed.protocol}`)
    )
  }
  const db = parsed.pathname.replace(/^\//, "")
  if (db !== "" && !/^\d+$/.test(db))
    return Either.left(ConfigError.InvalidData(["redis"], "database must be a number"))
  return Either.right({
    host: parsed.hostname === "" ? "127.0.0.1" : parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === "" ? {} : { db: Number(db) }),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    // While Redis is down a command fails after one reconnection attempt, instead of queueing until it is back.
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => {
      watch.onUnreachable?.(times)
      return reconnectDelay(times)
    }
  })
}

/**
 * The shared quota's store on Redis.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerQuota = (
  url: string,
  prefix = "effect-rerank:quota:",
  watch: Watch = {}
): Layer.Layer<RateLimiter.RateLimiterStore, ConfigError.ConfigError> =>
  Either.match(optionsFromUrl(url, watch), {
    onLeft: Layer.fail,
    onRight: (options) => RateLimiterRedis.layerStore({ ...options, prefix })
  })

/**
 * The shared score cache's store on Redis.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerCache = (
  url: string,
  watch: Watch = {}
): Layer.Layer<ScoreCache.ScoreCacheStore, ConfigError.ConfigError> =>
  Either.match(optionsFromUrl(url, watch), {
    onLeft: Layer.fail,
    onRight: (options) => ScoreCache.layerPersistence().pipe(Layer.provide(PersistenceRedis.layer(options)))
  })

/**
 * Whether Redis at `url` answers a `PING` within about two seconds, on a connection of its own that is closed at once
 * (and whose errors are this function's, never printed by ioredis).
 *
 * @since 0.2.0
 * @category utils
 */
export const ping = (url: string): Effect.Effect<boolean, ConfigError.ConfigError> =>
  Effect.flatMap(optionsFromUrl(url), (options) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        const client = new Redis({ ...options, lazyConnect: true, retryStrategy: () => null })
        client.on("error", () => {})
        return client
      }),
      (client) =>
        Effect.tryPromise(() => client.connect().then(() => client.ping())).pipe(
          Effect.timeout("3 seconds"),
          Effect.as(true),
          Effect.orElseSucceed(() => false)
        ),
      (client) => Effect.sync(() => client.disconnect())
    )
  )
