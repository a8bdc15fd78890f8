/**
 * An observer of a call's progress: every rerank call reports each finished window and each failed attempt that
 * will be retried. The CLI draws its progress bar from it; a job runner could report to its own UI. By default it
 * observes nothing.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { RerankError } from "./RerankError.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Observer {
  readonly onWindow: (completed: number, total: number) => Effect.Effect<void>
  /**
   * An attempt failed with `error` and attempt number `attempt + 1` of that window is scheduled, `delay` from now
   * (the schedule's, or the server's `Retry-After`).
   */
  readonly onRetry?:
    ((error: RerankError, attempt: number, delay: Duration.Duration) => Effect.Effect<void>) | undefined
}

/**
 * @since 0.2.0
 * @category constants
 */
export const none: Observer = { onWindow: () => Effect.void }

/**
 * The observer in context: `Layer.succeed(Progress, observer)` to watch calls; `none` when nothing is provided.
 *
 * @since 0.2.0
 * @category tags
 */
export class Progress extends Context.Reference<Progress>()("@effect-rerank/core/Reranker/Progress", {
  defaultValue: (): Observer => none
}) {}
