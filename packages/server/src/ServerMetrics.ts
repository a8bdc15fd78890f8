/**
 * What the server records of the requests it answers, as Effect `Metric`s named after OpenTelemetry's HTTP semantic
 * conventions, and every metric of the process (the server's and `@effect-rerank/core`'s `RerankMetrics`) as
 * Prometheus text, through `@effect/opentelemetry` and OpenTelemetry's Prometheus exporter.
 *
 * @since 0.2.0
 */
import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as Resource from "@effect/opentelemetry/Resource"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"

/**
 * Time from a request's arrival to its answer, in seconds, by `http.request.method`, `http.route` (the route served,
 * or `unmatched`) and `http.response.status_code`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const requestDuration: Metric.Metric.Histogram<number> = Metric.histogram(
  "http.server.request.duration",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 18 }),
  "Duration of HTTP server requests, in seconds"
).pipe(Metric.tagged("unit", "s"))

/**
 * Requests being answered now.
 *
 * @since 0.2.0
 * @category metrics
 */
export const activeRequests: Metric.Metric.Counter<number> = Metric.counter("http.server.active_requests", {
  description: "Requests in flight",
  incremental: false
})

/**
 * Documents received in rerank requests the server accepted, by `http.route`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const documentsReceived: Metric.Metric.Counter<number> = Metric.counter("rerank.server.documents", {
  description: "Documents received in accepted rerank requests",
  incremental: true
})

const methods = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])

/** A request's method as a bounded attribute: the known ones, else `_OTHER`, as the convention says. */
export const methodName = (method: string): string => (methods.has(method) ? method : "_OTHER")

/**
 * Records one answered request.
 *
 * @since 0.2.0
 * @category recording
 */
export const recordRequest = (request: {
  readonly method: string
  readonly route: string
  readonly status: number
  readonly seconds: number
}): Effect.Effect<void> =>
  Metric.update(
    Metric.taggedWithLabels(requestDuration, [
      MetricLabel.make("http.request.method", methodName(request.method)),
      MetricLabel.make("http.route", request.route),
      MetricLabel.make("http.response.status_code", String(request.status))
    ]),
    request.seconds
  )

/**
 * A Prometheus scrape of every Effect metric of this process, in the text exposition format.
 *
 * @since 0.2.0
 * @category models
 */
export interface Prometheus {
  readonly scrape: Effect.Effect<string>
}

/**
 * The exporter for `GET /metrics`: OpenTelemetry's Prometheus exporter (its own HTTP server never started) reading
 * Effect's metrics through `@effect/opentelemetry`'s producer.
 *
 * @since 0.2.0
 * @category constructors
 */
export const prometheus = (serviceName = "rerank-server"): Effect.Effect<Prometheus> =>
  Effect.gen(function* () {
    const producer = yield* OtelMetrics.makeProducer
    // Pull only: nothing to shut down, so no scope (`OtelMetrics.registerProducer` would tie it to one).
    const exporter = new PrometheusExporter({ preventServerStart: true })
    exporter.setMetricProducer(producer)
    const serializer = new PrometheusSerializer(undefined, false, undefined, true, true)
    return {
      scrape: Effect.map(
        Effect.promise(() => exporter.collect()),
        ({ resourceMetrics }) => serializer.serialize(resourceMetrics)
      )
    }
  }).pipe(Effect.provide(Resource.layer({ serviceName })))
