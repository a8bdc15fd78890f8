/**
 * A running server's state as an operator asks after it: requests in flight, whether it is draining, whether the
 * reranker behind it has been failing, the last errors it answered, and the checks `GET /readyz` runs. One value per
 * server, shared by the app (which records) and the Node server (which drains on it).
 *
 * @since 0.2.0
 */
import type { RerankError } from "@effect-rerank/core"
import * as Effect from "effect/Effect"

/**
 * A readiness check besides the server's own: a name and whether it passes now (a gateway's Redis).
 *
 * @since 0.2.0
 * @category models
 */
export interface Check {
  readonly name: string
  readonly check: Effect.Effect<boolean>
}

/**
 * One error the server answered, as the status page lists it: never a header, a key or a document.
 *
 * @since 0.2.0
 * @category models
 */
export interface AnsweredError {
  readonly at: string
  readonly requestId: string
  readonly method: string
  readonly path: string
  readonly status: number
  readonly message: string
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ServerStatus {
  readonly startedAt: number
  /** Requests being answered now. */
  readonly inFlight: () => number
  readonly draining: () => boolean
  /** Stop being ready: `GET /readyz` answers 503 from now on (load balancers move traffic away). */
  readonly drain: () => void
  readonly requestStarted: () => void
  readonly requestEnded: () => void
  /** A rerank the server passed to its reranker ended: the upstream's own failures count against readiness. */
  readonly upstreamOutcome: (error: RerankError.RerankError | undefined) => void
  /** True when the last `failingAfter` calls that reached the upstream all failed. */
  readonly upstreamFailing: () => boolean
  readonly answeredError: (error: AnsweredError) => void
  /** The last errors answered, newest first. */
  readonly lastErrors: () => ReadonlyArray<AnsweredError>
  readonly checks: ReadonlyArray<Check>
}

/**
 * Consecutive upstream failures after which the server is not ready.
 *
 * @since 0.2.0
 * @category constants
 */
export const failingAfter = 5

/**
 * Errors kept for the status page.
 *
 * @since 0.2.0
 * @category constants
 */
export const keptErrors = 20

/** The failures that are the upstream's (or the way to it), not the caller's request. */
const upstreamFailures: ReadonlySet<RerankError.RerankError["_tag"]> = new Set([
  "ServiceError",
  "TimeoutError",
  "TransportError",
  "ResponseDecodeError",
  "AuthenticationError"
])

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (checks: ReadonlyArray<Check> = []): ServerStatus => {
  let inFlight = 0
  let draining = false
  let failures = 0
  const errors: Array<AnsweredError> = []
  return {
    startedAt: Date.now(),
    inFlight: () => inFlight,
    draining: () => draining,
    drain: () => {
      draining = true
    },
    requestStarted: () => {
      inFlight++
    },
    requestEnded: () => {
      inFlight--
    },
    upstreamOutcome: (error) => {
      if (error === undefined) failures = 0
      else if (upstreamFailures.has(error._tag)) failures++
    },
    upstreamFailing: () => failures >= failingAfter,
    answeredError: (error) => {
      errors.unshift(error)
      if (errors.length > keptErrors) errors.pop()
    },
    lastErrors: () => errors,
    checks
  }
}

/**
 * What `GET /readyz` says: ready unless draining, the upstream failing, or a check failing (each named).
 *
 * @since 0.2.0
 * @category readiness
 */
export const readiness = (
  status: ServerStatus
): Effect.Effect<{ readonly ready: boolean; readonly checks: Record<string, "ok" | "failing"> }> =>
  Effect.map(
    Effect.forEach(status.checks, (check) =>
      Effect.map(
        Effect.orElseSucceed(Effect.timeout(check.check, "2 seconds"), () => false),
        (ok) => [check.name, ok] as const
      )
    ),
    (results) => {
      const checks: Record<string, "ok" | "failing"> = {
        draining: status.draining() ? "failing" : "ok",
        upstream: status.upstreamFailing() ? "failing" : "ok"
      }
      for (const [name, ok] of results) checks[name] = ok ? "ok" : "failing"
      return { ready: Object.values(checks).every((value) => value === "ok"), checks }
    }
  )
