/**
 * The default retry schedule of every provider's windows: retryable errors only, exponential backoff with jitter and
 * a cap, and the server's `Retry-After` honoured. `Reranker.make` retries every window by it; exposed so callers can
 * build on it or replace it.
 *
 * @since 0.2.0
 */
import * as RerankError from "./RerankError.js"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as OptionSchema from "./OptionSchema.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Retries after the first attempt. Default 3. */
  readonly maxRetries?: number | undefined
  /** Delay before the first retry; doubled each time, then jittered by +-20%. Default 1 second. */
  readonly base?: Duration.DurationInput | undefined
  /** Longest delay. A server asking to wait longer ends the retries with `RateLimitError`. Default 30 seconds. */
  readonly cap?: Duration.DurationInput | undefined
}

/**
 * The options' schema: a `ConfigError` naming `retry.maxRetries`, `retry.base` or `retry.cap` when one makes no sense.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OptionsSchema = Schema.Struct({
  maxRetries: Schema.optional(OptionSchema.NonNegativeInt),
  base: Schema.optional(OptionSchema.PositiveDuration),
  cap: Schema.optional(OptionSchema.PositiveDuration)
})

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = { maxRetries: 3, base: Duration.seconds(1), cap: Duration.seconds(30) } as const

/**
 * The delay the server asked for, when the error carries one.
 *
 * @since 0.2.0
 * @category utils
 */
export const serverDelay = (error: RerankError.RerankError): Option.Option<Duration.Duration> =>
  error._tag === "RateLimitError" ? error.retryAfter : Option.none()

/**
 * Retries `RerankError.isRetryable` errors up to `maxRetries` times, waiting `base * 2^n` (+-20% jitter, at most
 * `cap`) or exactly what the server's `Retry-After` asked; stops at once when the server asks for more than `cap`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options = {}): Schedule.Schedule<RerankError.RerankError, RerankError.RerankError> => {
  const maxRetries = options.maxRetries ?? defaults.maxRetries
  const cap = Duration.decode(options.cap ?? defaults.cap)
  const base = Duration.decode(options.base ?? defaults.base)
  const asksTooLong = (error: RerankError.RerankError) =>
    Option.match(serverDelay(error), { onNone: () => false, onSome: (d) => Duration.greaterThan(d, cap) })
  return Schedule.exponential(base, 2).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, cap)),
    Schedule.intersect(Schedule.recurs(maxRetries)),
    Schedule.zipRight(Schedule.identity<RerankError.RerankError>()),
    Schedule.whileInput((error: RerankError.RerankError) => RerankError.isRetryable(error) && !asksTooLong(error)),
    Schedule.modifyDelay((error, delay) => Option.getOrElse(serverDelay(error), () => delay))
  )
}
