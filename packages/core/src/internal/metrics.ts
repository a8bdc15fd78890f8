/**
 * Where the engine records `RerankMetrics`: one function per event, each tagging with the provider's system (and
 * model where the convention has it).
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
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

type Labels = ReadonlyArray<MetricLabel.MetricLabel>

/**
 * One event's updates in one step: the fiber's own metric labels (`Effect.tagMetrics`) read once, then every
 * update made as `Metric.update` makes it, without an effect per update.
 */
const record = (updates: (extra: Labels) => void): Effect.Effect<void> =>
  FiberRef.getWith(FiberRef.currentMetricLabels, (extra) => Effect.sync(() => updates(extra)))

/** A finished call: its outcome and latency. */
export const call = (
  system: string,
  model: string,
  seconds: number,
  error: RerankError | undefined
): Effect.Effect<void> =>
  record((extra) => {
    tagged(RerankMetrics.calls, { "gen_ai.system": system, outcome: error?._tag ?? "ok" }).unsafeUpdate(1, extra)
    tagged(RerankMetrics.operationDuration, {
      "gen_ai.system": system,
      "gen_ai.request.model": RerankMetrics.modelName(model),
      "gen_ai.operation.name": "rerank",
      "error.type": error?._tag
    }).unsafeUpdate(seconds, extra)
  })

/** What a call sent and what the cache answered. */
export const sent = (
  system: string,
  windows: number,
  documents: number,
  cached: number | undefined
): Effect.Effect<void> =>
  record((extra) => {
    const attributes = { "gen_ai.system": system }
    tagged(RerankMetrics.windows, attributes).unsafeUpdate(windows, extra)
    tagged(RerankMetrics.documentsSent, attributes).unsafeUpdate(documents, extra)
    if (cached !== undefined) tagged(RerankMetrics.documentsCached, attributes).unsafeUpdate(cached, extra)
  })

/** What a call was billed, in its unit, and its cost. */
export const billed = (
  system: string,
  model: string,
  billed: Billing.Billed | undefined,
  usd: number | undefined
): Effect.Effect<void> =>
  record((extra) => {
    if (billed !== undefined && billed.quantity > 0) {
      tagged(RerankMetrics.billedUnits, { "gen_ai.system": system, unit: billed.unit }).unsafeUpdate(
        billed.quantity,
        extra
      )
    }
    if (usd !== undefined) {
      tagged(RerankMetrics.cost, {
        "gen_ai.system": system,
        "gen_ai.request.model": RerankMetrics.modelName(model)
      }).unsafeUpdate(usd, extra)
    }
  })

/** One attempt's outcome; a failure the provider answered carries its status. */
export const attempt = (system: string, error: RerankError | undefined): Effect.Effect<void> =>
  record((extra) =>
    tagged(RerankMetrics.attempts, {
      "gen_ai.system": system,
      outcome: error?._tag ?? "ok",
      "http.response.status_code": error?.status === undefined ? undefined : String(error.status)
    }).unsafeUpdate(1, extra)
  )

/** A retry the policy scheduled. */
export const retry = (system: string, error: RerankError): Effect.Effect<void> =>
  record((extra) =>
    tagged(RerankMetrics.retries, { "gen_ai.system": system, "error.type": error._tag }).unsafeUpdate(1, extra)
  )

/** Time an attempt waited for the quota. */
export const quotaWait = (system: string, seconds: number): Effect.Effect<void> =>
  record((extra) => tagged(RerankMetrics.quotaWait, { "gen_ai.system": system }).unsafeUpdate(seconds, extra))
