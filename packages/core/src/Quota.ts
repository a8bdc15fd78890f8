/**
 * A provider key's quota, shared: every attempt a reranker sends waits for a token from `@effect/experimental`'s
 * `RateLimiter` first (a token bucket of `limit` tokens refilled over `window`), so a fleet of workers on one key
 * stays under the provider's limit instead of each retrying its own 429s. The store is the in-memory one unless a
 * `RateLimiterStore` is provided (`RateLimiter/Redis`'s `layerStore`, or `Quota.layerRedis`), which makes the budget
 * shared by every process on that Redis.
 *
 * @since 0.2.0
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as OptionSchema from "./OptionSchema.js"
import { TransportError } from "./RerankError.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Calls allowed per `window` (the provider's limit, or a little under it to leave room for clock skew). */
  readonly limit: number
  readonly window: Duration.DurationInput
  /**
   * The budget's name in the store. Default: the provider's system and a hash of its key (never the key itself), so
   * every process using the same key shares one budget.
   */
  readonly key?: string | undefined
  /**
   * When the store cannot be reached (Redis down): `"proceed"` (default) sends the call unpaced and says so in the
   * result's warnings; `"fail"` fails the attempt with a `TransportError` naming the store (retried like any).
   */
  readonly onStoreError?: "proceed" | "fail" | undefined
}

/**
 * Waits for a token before an attempt: `undefined`, or a warning when the call went unpaced.
 *
 * @since 0.2.0
 * @category models
 */
export type Pace = Effect.Effect<string | undefined, TransportError>

/**
 * The warning a call carries when the store could not be reached and it went out unpaced.
 *
 * @since 0.2.0
 * @category constants
 */
export const unpacedWarning = "the shared quota's store could not be reached: this call was sent unpaced"

/**
 * The start of the `TransportError` reason when the store cannot be reached and `onStoreError` is `"fail"`: a
 * gateway answers such a failure with 503 and `Retry-After`.
 *
 * @since 0.2.0
 * @category constants
 */
export const storeUnavailable = "the shared quota's store could not be reached"

/**
 * The options' schema.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  limit: OptionSchema.PositiveInt,
  window: OptionSchema.FiniteDuration,
  key: Schema.optional(OptionSchema.NonEmptyString),
  onStoreError: Schema.optional(OptionSchema.choice(["proceed", "fail"]))
})

const decodeOptions = OptionSchema.decoder(OptionsSchema, "rateLimit")

/**
 * Checks the options (a `ConfigError` naming `rateLimit.limit` / `rateLimit.window` / `rateLimit.onStoreError`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const validate = (options: Options): Either.Either<Options, ConfigError.ConfigError> => decodeOptions(options)

/**
 * `@effect/experimental`'s `RateLimiter`, loaded when a quota is first asked for: an optional peer dependency, so
 * a user who paces nothing never needs it installed.
 */
const loadRateLimiter: Effect.Effect<typeof RateLimiter, ConfigError.ConfigError> = Effect.tryPromise({
  try: () => import("@effect/experimental/RateLimiter"),
  catch: () =>
    ConfigError.InvalidData(
      ["rateLimit"],
      "needs the package @effect/experimental (npm install @effect/experimental@~0.61), which could not be loaded"
    )
})

/**
 * The pacing effect for a provider: the store in context if there is one, else an in-memory store of its own.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options, defaultKey: string): Effect.Effect<Pace, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const RateLimiter = yield* loadRateLimiter
    const provided = yield* Effect.serviceOption(RateLimiter.RateLimiterStore)
    const limiter = yield* RateLimiter.make.pipe(
      Option.isSome(provided)
        ? Effect.provideService(RateLimiter.RateLimiterStore, provided.value)
        : Effect.provide(RateLimiter.layerStoreMemory)
    )
    const consume = {
      key: `effect-rerank:${options.key ?? defaultKey}`,
      limit: options.limit,
      window: options.window,
      algorithm: "token-bucket",
      onExceeded: "delay"
    } as const
    const onStoreError = options.onStoreError ?? "proceed"
    return limiter.consume(consume).pipe(
      Effect.flatMap(({ delay }) => (Duration.isZero(delay) ? Effect.void : Effect.sleep(delay))),
      Effect.as(undefined),
      // The store's own message ("Failed to execute tokenBucket rate limiting command"), not its cause: a cause
      // may carry the store's address or credentials.
      Effect.catchAll((error) =>
        onStoreError === "proceed"
          ? Effect.as(
              Effect.logWarning("rate limiter store unavailable; sending unpaced").pipe(
                Effect.annotateLogs({ reason: error.message })
              ),
              unpacedWarning
            )
          : Effect.fail(new TransportError({ reason: `${storeUnavailable}: ${error.message}` }))
      )
    )
  })
