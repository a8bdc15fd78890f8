/**
 * Traces over OTLP when the environment asks for them, as OpenTelemetry's SDKs read it:
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL), else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`;
 * `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,key2=value2`, values percent-decoded); `OTEL_SERVICE_NAME` (default
 * `rerank-server`). Through `@effect/opentelemetry`'s OTLP exporter, over `fetch`. Nothing when neither is set.
 *
 * @since 0.2.0
 */
import * as OtlpSerialization from "@effect/opentelemetry/OtlpSerialization"
import * as OtlpTracer from "@effect/opentelemetry/OtlpTracer"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` as headers; a malformed entry is skipped (the SDKs do the same).
 *
 * @since 0.2.0
 * @category config
 */
export const parseHeaders = (spec: string): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const entry of spec.split(",")) {
    const at = entry.indexOf("=")
    if (at <= 0) continue
    try {
      headers[entry.slice(0, at).trim()] = decodeURIComponent(entry.slice(at + 1).trim())
    } catch {
      // Not percent-decodable: skipped.
    }
  }
  return headers
}

/**
 * Where traces go, from the environment; `None` when tracing is not asked for.
 *
 * @since 0.2.0
 * @category config
 */
export const endpointConfig: Config.Config<Option.Option<string>> = Config.option(
  Config.nonEmptyString("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").pipe(
    Config.orElse(() =>
      Config.map(
        Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT"),
        (base) => base.replace(/\/+$/, "") + "/v1/traces"
      )
    )
  )
)

/**
 * The tracer layer when the environment asks for traces, else nothing.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFromEnvironment: Layer.Layer<never, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const endpoint = yield* endpointConfig
    if (Option.isNone(endpoint)) return Layer.empty
    const headers = yield* Config.string("OTEL_EXPORTER_OTLP_HEADERS").pipe(Config.withDefault(""))
    const serviceName = yield* Config.string("OTEL_SERVICE_NAME").pipe(Config.withDefault("rerank-server"))
    return OtlpTracer.layer({
      url: endpoint.value,
      headers: parseHeaders(headers),
      resource: { serviceName },
      exportInterval: "1 second"
    }).pipe(Layer.provide(Layer.merge(FetchHttpClient.layer, OtlpSerialization.layerJson)))
  })
)
