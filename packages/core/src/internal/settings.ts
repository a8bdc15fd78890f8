/**
 * The options every provider shares, checked once at construction through the one option vocabulary: a
 * `ConfigError` names the first bad option, so the same mistake fails the same way whichever provider is behind
 * the `Reranker`.
 */
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Batching from "../Batching.js"
import * as Billing from "../Billing.js"
import * as Chunking from "../Chunking.js"
import * as OptionSchema from "../OptionSchema.js"
import type * as RerankError from "../RerankError.js"
import * as RetryPolicy from "../RetryPolicy.js"

export interface Options extends Batching.Options {
  readonly prices?: Billing.Prices | undefined
  readonly chunk?: Chunking.Options | undefined
  readonly instruction?: string | undefined
  readonly instructionMode?: "native" | "prepend" | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly totalTimeout?: Duration.DurationInput | undefined
  readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, RerankError.RerankError> | undefined
}

export interface Settings {
  readonly batching: Batching.Resolved
  readonly timeout: Duration.Duration
  readonly totalTimeout: Duration.Duration | undefined
  readonly retry: Schedule.Schedule<unknown, RerankError.RerankError>
  readonly prices: Billing.Prices | undefined
  readonly chunk: Chunking.Resolved | undefined
  readonly instruction: string | undefined
  readonly instructionMode: "native" | "prepend"
}

/** Per attempt, when neither the caller nor the provider says otherwise. */
export const defaultTimeout = Duration.seconds(60)

const decodeTimeouts = OptionSchema.decoder(
  Schema.Struct({
    timeout: Schema.optional(OptionSchema.PositiveDuration),
    totalTimeout: Schema.optional(OptionSchema.PositiveDuration)
  })
)

const decodeInstruction = OptionSchema.decoder(
  Schema.Struct({
    instruction: Schema.optional(OptionSchema.NonEmptyString),
    instructionMode: Schema.optional(OptionSchema.choice(["native", "prepend"]))
  })
)

const decodeRetry = OptionSchema.decoder(RetryPolicy.OptionsSchema, "retry")

const retryOf = (
  retry: Options["retry"]
): Either.Either<Schedule.Schedule<unknown, RerankError.RerankError>, ConfigError.ConfigError> =>
  Schedule.isSchedule(retry) ? Either.right(retry) : Either.map(decodeRetry(retry ?? {}), RetryPolicy.make)

/** Checks every value and fills in the defaults (the provider's own timeout first). */
export const resolve = (
  options: Options,
  providerTimeout: Duration.DurationInput | undefined
): Either.Either<Settings, ConfigError.ConfigError> =>
  Either.gen(function* () {
    const batching = yield* Batching.resolve(options)
    const timeouts = yield* decodeTimeouts({
      timeout: options.timeout ?? providerTimeout ?? defaultTimeout,
      totalTimeout: options.totalTimeout
    })
    const retry = yield* retryOf(options.retry)
    const prices = options.prices === undefined ? undefined : yield* Billing.validate(options.prices)
    const chunk = options.chunk === undefined ? undefined : yield* Chunking.resolve(options.chunk)
    const instruction = yield* decodeInstruction(options)
    return {
      instruction: instruction.instruction,
      instructionMode: instruction.instructionMode ?? "native",
      prices,
      chunk,
      batching,
      timeout: timeouts.timeout ?? defaultTimeout,
      totalTimeout: timeouts.totalTimeout,
      retry
    }
  })
