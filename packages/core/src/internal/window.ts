/**
 * One window of a call, start to end: prepared once (a refusal counts no attempt), then attempted until it succeeds
 * or the retry policy gives up. Each attempt waits for the quota first, then runs under the per-attempt timeout,
 * and its answer is checked. The error that ends the window leaves with the attempts made and the provider's
 * advice.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Intervals from "effect/ScheduleIntervals"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import type * as Progress from "../Progress.js"
import type * as Provider from "../Provider.js"
import type * as Quota from "../Quota.js"
import { type RerankError, TimeoutError } from "../RerankError.js"
import { invalidWindow, shortAnswer } from "./assemble.js"
import * as Metrics from "./metrics.js"
import * as Timeout from "./timeout.js"
import type * as Settings from "./settings.js"

/** What a window needs from the reranker it runs in. */
export interface Context {
  readonly provider: Provider.Provider<any>
  readonly settings: Settings.Settings
  readonly pace: Quota.Pace | undefined
  readonly progress: Progress.Observer
}

/** One run of a call: attempts across every window (the span's `rerank.attempts`), and its warnings. */
export interface Call {
  attempts: number
  readonly warnings: Set<string>
}

const hintFor = (provider: Provider.Provider<any>, error: RerankError) => provider.hint?.(error)

/** The policy, logging every failed attempt and telling `progress` of each retry it schedules. */
const policyOf = (context: Context, attempts: () => number) =>
  context.settings.retry.pipe(
    Schedule.intersect(Schedule.identity<RerankError>()),
    Schedule.tapInput((error: RerankError) =>
      Effect.logDebug("rerank attempt failed").pipe(
        Effect.annotateLogs({ attempt: attempts(), error: error._tag, status: error.status ?? "none" })
      )
    ),
    Schedule.onDecision(([, error], decision) => {
      if (!ScheduleDecision.isContinue(decision)) return Effect.void
      const counted = Metrics.retry(context.provider.system, error)
      return context.progress.onRetry === undefined
        ? counted
        : Effect.zipRight(
            counted,
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              context.progress.onRetry!(
                error,
                attempts(),
                Duration.millis(Math.max(0, Intervals.start(decision.intervals) - now))
              )
            )
          )
    })
  )

/** The window's answer, or its last error stamped with the attempts made. */
export const run = (
  context: Context,
  call: Call,
  request: Provider.WindowRequest
): Effect.Effect<Provider.WindowResponse, RerankError> => {
  const { pace, provider, settings } = context
  const prepared = provider.prepare === undefined ? Either.right(request) : provider.prepare(request)
  if (Either.isLeft(prepared)) return Effect.fail(prepared.left.withAttempts(0, hintFor(provider, prepared.left)))
  let attempts = 0
  const timeout = settings.timeout
  const send = provider.rerankWindow(prepared.right).pipe(
    (self) => Timeout.timeoutFail(self, timeout, () => new TimeoutError({ timeout, scope: "attempt" })),
    Effect.flatMap((response) => {
      const invalid = invalidWindow(response, request.documents.length)
      if (invalid !== undefined) return Effect.fail(invalid)
      const short = shortAnswer(response, request)
      if (short !== undefined) call.warnings.add(short)
      return Effect.succeed(response)
    }),
    Effect.tapBoth({
      onFailure: (error) => Metrics.attempt(provider.system, error),
      onSuccess: () => Metrics.attempt(provider.system, undefined)
    })
  )
  const attempt = Effect.suspend(() => {
    attempts++
    call.attempts++
    if (pace === undefined) return send
    // The wait for the quota comes before the attempt's clock starts.
    return Effect.flatMap(Clock.currentTimeMillis, (start) =>
      Effect.flatMap(pace, (warning) => {
        if (warning !== undefined) call.warnings.add(warning)
        return Effect.flatMap(Clock.currentTimeMillis, (end) =>
          Effect.zipRight(Metrics.quotaWait(provider.system, (end - start) / 1000), send)
        )
      })
    )
  })
  // The policy starts after a first failure, which it is handed first: a window that succeeds at once, the common
  // case, pays nothing for the schedule.
  const retried = (first: RerankError) => {
    let replay: RerankError | undefined = first
    const again = Effect.suspend(() => {
      if (replay === undefined) return attempt
      const error = replay
      replay = undefined
      return Effect.fail(error)
    })
    return Effect.retry(
      again,
      policyOf(context, () => attempts)
    )
  }
  return attempt.pipe(
    Effect.catchAll(retried),
    Effect.mapError((error) => error.withAttempts(attempts, hintFor(provider, error)))
  )
}
