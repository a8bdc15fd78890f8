/**
 * Where the engine records `RerankMetrics`: one function per event, each tagging with the provider's system (and
 * model where the convention has it).
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as RerankMetrics from "../RerankMetrics.js"
import type * as Billing from "../Billing.js"
import type { RerankError } from "../RerankError.js"

/**
 * Each metric under each label set, made once. `Metric.taggedWithLabels` builds a new label array on every update,
 * so Effect's per-metric cache (keyed by that array) misses and every update builds and hashes a metric key; these
 * pass the same array each time. The sets are few (systems, bounded model names, outcomes, statuses).
 */
const fixed = new WeakMap<Metric.Metric<any, any, any>, Map<string, Metric.Metric<any, any, any>>>()

const tagged = <T, I, O>(
  metric: Metric.Metric<T, I, O>,
  attributes: Record<string, string | undefined>
): Metric.Metric<T, I, O> => {
  let byLabels = fixed.get(metric)
  if (byLabels === undefined) {
    byLabels = new Map()
    fixed.set(metric, byLabels)
  }
  let id = ""
  for (const key in attributes) if (attributes[key] !== undefined) id += `${key}\u0000${attributes[key]}\u0000`
  const found = byLabels.get(id)
  if (found !== undefined) return found
  const labels = Object.entries(attributes).flatMap(([key, value]) =>
    value === undefined ? [] : [MetricLabel.make(key, value)]
  )
  // Labels a fiber adds (`Effect.tagMetrics`) come first, as `taggedWithLabels` puts them.
  const with_ = (extra: ReadonlyArray<MetricLabel.MetricLabel>) =>
    extra.length === 0 ? labels : Arr.union(extra, labels)
  const made = Metric.make(
    metric.keyType,
    (input: I, extra) => metric.unsafeUpdate(input, with_(extra)),
    (extra) => metric.unsafeValue(with_(extra)),
    (input: I, extra) => metric.unsafeModify(input, with_(extra))
  )
  byLabels.set(id, made)
  return made
}

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
