/**
 * The options every provider shares, checked once at construction: a `ConfigError` names the first bad option, so
 * the same mistake fails the same way whichever provider is behind the `Reranker`.
 */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Batching from "../Batching.js"
import type * as RerankError from "../RerankError.js"
import * as RetryPolicy from "../RetryPolicy.js"

export interface Options extends Batching.Options {
  readonly timeout?: Duration.DurationInput | undefined
  readonly totalTimeout?: Duration.DurationInput | undefined
  readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, RerankError.RerankError> | undefined
}

export interface Resolved {
  readonly batching: Batching.Resolved
  readonly timeout: Duration.Duration
  readonly totalTimeout: Duration.Duration | undefined
  readonly retry: Schedule.Schedule<unknown, RerankError.RerankError>
}

/** Per attempt, when neither the caller nor the provider says otherwise. */
export const defaultTimeout = Duration.seconds(60)

const invalid = (option: string, reason: string) => Either.left(ConfigError.InvalidData([option], reason))

const duration = (input: Duration.DurationInput): Duration.Duration | undefined => {
  try {
    return Duration.decode(input)
  } catch {
    return undefined
  }
}

const positiveDuration = (option: string, input: Duration.DurationInput) => {
  const decoded = duration(input)
  return decoded !== undefined && Duration.greaterThan(decoded, Duration.zero)
    ? Either.right(decoded)
    : invalid(option, `must be a duration longer than zero, got ${String(input)}`)
}

const retryOf = (
  retry: Options["retry"]
): Either.Either<Schedule.Schedule<unknown, RerankError.RerankError>, ConfigError.ConfigError> => {
  if (retry === undefined) return Either.right(RetryPolicy.make())
  if (Schedule.isSchedule(retry)) return Either.right(retry)
  const { base, cap, maxRetries } = retry
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) {
    return invalid("retry.maxRetries", `must be an integer >= 0, got ${maxRetries}`)
  }
  for (const [option, input] of [
    ["retry.base", base],
    ["retry.cap", cap]
  ] as const) {
    const checked = input === undefined ? undefined : positiveDuration(option, input)
    if (checked !== undefined && Either.isLeft(checked)) return Either.left(checked.left)
  }
  return Either.right(RetryPolicy.make(retry))
}

/** Fills in defaults (the provider's own limit and timeout first) and checks every value. */
export const resolve = (
  options: Options,
  providerDefaults: {
    readonly maxDocumentsPerRequest?: number | undefined
    readonly timeout?: Duration.DurationInput | undefined
  }
): Either.Either<Resolved, ConfigError.ConfigError> =>
  Either.gen(function* () {
    const batching = yield* Either.mapLeft(
      Batching.resolve({
        ...options,
        maxDocumentsPerRequest: options.maxDocumentsPerRequest ?? providerDefaults.maxDocumentsPerRequest
      }),
      ({ option, reason }) => ConfigError.InvalidData([option], reason)
    )
    const timeout = yield* positiveDuration("timeout", options.timeout ?? providerDefaults.timeout ?? defaultTimeout)
    const totalTimeout =
      options.totalTimeout === undefined ? undefined : yield* positiveDuration("totalTimeout", options.totalTimeout)
    const retry = yield* retryOf(options.retry)
    return { batching, timeout, totalTimeout, retry }
  })
