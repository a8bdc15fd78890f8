/**
 * What every reranker records, as Effect `Metric`s: calls and their latency, attempts and retries, windows, documents
 * sent and served from the cache, time spent waiting for the quota, billed units, and the status of each failed
 * attempt. Names follow OpenTelemetry's GenAI semantic conventions where one exists (`gen_ai.client.operation.duration`,
 * attributes `gen_ai.system`, `gen_ai.request.model`, `gen_ai.operation.name`, `error.type`); the rest are ours, under
 * `rerank.`. Read them with `Metric.value`, or export them with `@effect/opentelemetry` (`rerank serve` does, as
 * Prometheus text on `GET /metrics`).
 *
 * @since 0.2.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"

/**
 * A histogram in seconds: `unit` is part of its key rather than a wrapper's tag, so an update with the same labels
 * finds its state without building a key (a wrapper makes a new label array each time).
 */
const inSeconds = (key: MetricKey.MetricKey.Histogram): Metric.Metric.Histogram<number> =>
  Metric.fromMetricKey(MetricKey.taggedWithLabels(key, [MetricLabel.make("unit", "s")]))

/** Seconds, from 5 ms to about 82 s: rerank calls run from a few milliseconds (local) to a minute (retried). */
const latencyBoundaries = MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 15 })

/**
 * Latency of whole calls (every window, attempt and quota wait), in seconds. Attributes: `gen_ai.system`,
 * `gen_ai.request.model`, `gen_ai.operation.name` (`rerank`), and `error.type` (an error's tag) on failure.
 *
 * @since 0.2.0
 * @category metrics
 */
export const operationDuration: Metric.Metric.Histogram<number> = inSeconds(
  MetricKey.histogram("gen_ai.client.operation.duration", latencyBoundaries, "Duration of rerank calls, in seconds")
)

/**
 * Calls, by `gen_ai.system` and `outcome` (`ok` or the error's tag).
 *
 * @since 0.2.0
 * @category metrics
 */
export const calls: Metric.Metric.Counter<number> = Metric.counter("rerank.calls", {
  description: "Rerank calls",
  incremental: true
})

/**
 * Attempts sent to a provider, by `gen_ai.system`, `outcome` (`ok` or the error's tag) and, for a failed attempt
 * the provider answered, `http.response.status_code` (a 429 from the upstream counts here).
 *
 * @since 0.2.0
 * @category metrics
 */
export const attempts: Metric.Metric.Counter<number> = Metric.counter("rerank.attempts", {
  description: "Attempts sent to the provider",
  incremental: true
})

/**
 * Retries scheduled by the retry policy, by `gen_ai.system` and `error.type` (the tag of the error retried).
 *
 * @since 0.2.0
 * @category metrics
 */
export const retries: Metric.Metric.Counter<number> = Metric.counter("rerank.retries", {
  description: "Retries scheduled",
  incremental: true
})

/**
 * Windows (one provider request each, before retries) by `gen_ai.system`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const windows: Metric.Metric.Counter<number> = Metric.counter("rerank.windows", {
  description: "Windows sent",
  incremental: true
})

/**
 * Documents sent to the provider (once per window, not per retry), by `gen_ai.system`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const documentsSent: Metric.Metric.Counter<number> = Metric.counter("rerank.documents.sent", {
  description: "Documents sent to the provider",
  incremental: true
})

/**
 * Documents whose score came from the score cache, by `gen_ai.system`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const documentsCached: Metric.Metric.Counter<number> = Metric.counter("rerank.documents.cached", {
  description: "Documents answered from the score cache",
  incremental: true
})

/**
 * Time each attempt waited for the shared quota before it was sent, in seconds, by `gen_ai.system`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const quotaWait: Metric.Metric.Histogram<number> = inSeconds(
  MetricKey.histogram(
    "rerank.quota.wait",
    MetricBoundaries.exponential({ start: 0.001, factor: 4, count: 10 }),
    "Time waited for the shared quota, in seconds"
  )
)

/**
 * What calls cost in USD, at the prices given or the provider's defaults, by `gen_ai.system` and
 * `gen_ai.request.model`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const cost: Metric.Metric.Counter<number> = Metric.counter("rerank.cost", {
  description: "Cost of rerank calls in USD",
  incremental: true
})

/**
 * Units the provider billed (reported or computed by its rule: `usage.billed`), by `gen_ai.system` and `unit`
 * (`searchUnits`, `rerankUnits`, `queries`, `tokens`, `documents`, `requests`).
 *
 * @since 0.2.0
 * @category metrics
 */
export const billedUnits: Metric.Metric.Counter<number> = Metric.counter("rerank.billed_units", {
  description: "Units billed by the provider, as reported",
  incremental: true
})

/**
 * Most model names recorded as themselves; past that, `other`. A server that passes a caller's model name through
 * would otherwise let callers create a series per name they make up.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxModelNames = 50

const modelsSeen = new Set<string>()

/**
 * The `gen_ai.request.model` attribute for `model`: itself while fewer than `maxModelNames` names were seen.
 *
 * @since 0.2.0
 * @category attributes
 */
export const modelName = (model: string): string => {
  if (modelsSeen.has(model)) return model
  if (modelsSeen.size >= maxModelNames) return "other"
  modelsSeen.add(model)
  return model
}
