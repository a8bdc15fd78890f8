/**
 * Where the engine records `RerankMetrics`: one function per event, each tagging with the provider's system (and
 * model where the convention has it).
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as RerankMetrics from "../RerankMetrics.js"
import type * as Billing from "../Billing.js"
import type { RerankError } from "../RerankError.js"

const tagged = <T, I, O>(
  metric: Metric.Metric<T, I, O>,
  attributes: Record<string, string | undefined>
): Metric.Metric<T, I, O> =>
  Metric.taggedWithLabels(
    metric,
    Object.entries(attributes).flatMap(([key, value]) => (value === undefined ? [] : [MetricLabel.make(key, value)]))
  )

/** A finished call: its outcome and latency. */
export const call = (
  system: string,
  model: string,
  seconds: number,
  error: RerankError | undefined
): Effect.Effect<void> =>
  Effect.zipRight(
    Metric.increment(tagged(RerankMetrics.calls, { "gen_ai.system": system, outcome: error?._tag ?? "ok" })),
    Metric.update(
      tagged(RerankMetrics.operationDuration, {
        "gen_ai.system": system,
        "gen_ai.request.model": RerankMetrics.modelName(model),
        "gen_ai.operation.name": "rerank",
        "error.type": error?._tag
      }),
      seconds
    )
  )

/** What a call sent and what the cache answered. */
export const sent = (
  system: string,
  windows: number,
  documents: number,
  cached: number | undefined
): Effect.Effect<void> => {
  const attributes = { "gen_ai.system": system }
  return Effect.all(
    [
      Metric.incrementBy(tagged(RerankMetrics.windows, attributes), windows),
      Metric.incrementBy(tagged(RerankMetrics.documentsSent, attributes), documents),
      cached === undefined ? Effect.void : Metric.incrementBy(tagged(RerankMetrics.documentsCached, attributes), cached)
    ],
    { discard: true }
  )
}

/** What a call was billed, in its unit, and its cost. */
export const billed = (
  system: string,
  model: string,
  billed: Billing.Billed | undefined,
  usd: number | undefined
): Effect.Effect<void> =>
  Effect.zipRight(
    billed === undefined || billed.quantity <= 0
      ? Effect.void
      : Metric.incrementBy(
          tagged(RerankMetrics.billedUnits, { "gen_ai.system": system, unit: billed.unit }),
          billed.quantity
        ),
    usd === undefined
      ? Effect.void
      : Metric.incrementBy(
          tagged(RerankMetrics.cost, {
            "gen_ai.system": system,
            "gen_ai.request.model": RerankMetrics.modelName(model)
          }),
          usd
        )
  )

/** One attempt's outcome; a failure the provider answered carries its status. */
export const attempt = (system: string, error: RerankError | undefined): Effect.Effect<void> =>
  Metric.increment(
    tagged(RerankMetrics.attempts, {
      "gen_ai.system": system,
      outcome: error?._tag ?? "ok",
      "http.response.status_code": error?.status === undefined ? undefined : String(error.status)
    })
  )

/** A retry the policy scheduled. */
export const retry = (system: string, error: RerankError): Effect.Effect<void> =>
  Metric.increment(tagged(RerankMetrics.retries, { "gen_ai.system": system, "error.type": error._tag }))

/** Time an attempt waited for the quota. */
export const quotaWait = (system: string, seconds: number): Effect.Effect<void> =>
  Metric.update(tagged(RerankMetrics.quotaWait, { "gen_ai.system": system }), seconds)
