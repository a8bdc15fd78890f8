/**
 * Cohere's Rerank API (v2 by default, v1 on request, and any server that speaks it) as a `Reranker` layer over
 * `@effect/platform`'s `HttpClient`: typed errors for every status, per-attempt and total timeouts, retries that
 * honour `Retry-After`, batching past 1,000 documents, and the API key injected as `Redacted`.
 *
 * @since 0.1.0
 */
import { Batching, Reranker, RerankError } from "@effect-rerank/core"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ResponseError from "./internal/responseError.js"
import { version } from "./internal/version.js"
import * as Wire from "./internal/wire.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ApiVersion = Wire.ApiVersion

/**
 * Models Cohere serves for rerank; any other string is allowed too (fine-tunes, private deployments).
 *
 * @since 0.1.0
 * @category models
 */
export type Model =
  | "rerank-v4.0-pro"
  | "rerank-v4.0-fast"
  | "rerank-v3.5"
  | "rerank-english-v3.0"
  | "rerank-multilingual-v3.0"
  | (string & {})

/**
 * @since 0.1.0
 * @category constants
 */
export const defaults = {
  baseUrl: "https://api.cohere.com",
  apiVersion: "v2",
  model: "rerank-v3.5",
  timeout: Duration.seconds(60),
  /** A client-side guard; Cohere publishes no byte limit, so this only stops runaway bodies before they are sent. */
  maxRequestBytes: 10 * 1024 * 1024
} as const

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Reranker.Options {
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://api.cohere.com`. Plain `http://` is refused unless the host is loopback or `allowInsecureHttp`. */
  readonly baseUrl?: string | undefined
  /** Default `"v2"`. */
  readonly apiVersion?: ApiVersion | undefined
  /** Default `"rerank-v3.5"`; a request's own `model` wins. */
  readonly model?: Model | undefined
  /** Limit on each attempt. Default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The retry policy's options, or a `Schedule` that replaces the default policy wholesale. */
  readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, RerankError.RerankError> | undefined
  /** Sent as `X-Client-Name`. */
  readonly clientName?: string | undefined
  /** v2 `max_tokens_per_doc` (the server's default is 4096). */
  readonly maxTokensPerDoc?: number | undefined
  /** v2 `priority`, 0-999. */
  readonly priority?: number | undefined
  /** v1 `max_chunks_per_doc`. */
  readonly maxChunksPerDoc?: number | undefined
  /** v1 `return_documents`; documents are never needed back, since results hold the caller's own objects. */
  readonly returnDocuments?: boolean | undefined
  /** Largest request body sent, in bytes; larger fails with `PayloadLimitError` before sending. Default 10 MiB. */
  readonly maxRequestBytes?: number | undefined
  /** Allow a plain `http://` base URL on a non-loopback host, sending the key in clear. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
  /** Send trace propagation headers. Default: only to loopback hosts, never to third parties. */
  readonly tracePropagation?: boolean | undefined
  /** Applied to the configured client last: add middleware, a proxy, logging. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname)

const invalid = (path: string, message: string) => Either.left(ConfigError.InvalidData([path], message))

const isPositiveInteger = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1)

interface Settings {
  readonly baseUrl: URL
  readonly apiVersion: ApiVersion
  readonly model: string
  readonly timeout: Duration.Duration
  readonly maxRequestBytes: number
  readonly propagate: boolean
}

const settingsOf = (options: Options): Either.Either<Settings, ConfigError.ConfigError> => {
  const raw = options.baseUrl ?? defaults.baseUrl
  let baseUrl: URL
  try {
    baseUrl = new URL(raw)
  } catch {
    return invalid("baseUrl", `"${raw}" is not a URL`)
  }
  if (baseUrl.protocol !== "https:" && baseUrl.protocol !== "http:") {
    return invalid("baseUrl", `must be an http(s) URL, got ${baseUrl.protocol}`)
  }
  const loopback = isLoopback(baseUrl.hostname)
  if (baseUrl.protocol === "http:" && !loopback && options.allowInsecureHttp !== true) {
    return invalid(
      "baseUrl",
      `refusing to send the API key in clear to ${baseUrl.host}: use https, or set allowInsecureHttp: true`
    )
  }
  if (Redacted.value(options.apiKey).trim() === "") return invalid("apiKey", "is empty")
  const apiVersion = options.apiVersion ?? defaults.apiVersion
  if (apiVersion !== "v1" && apiVersion !== "v2") return invalid("apiVersion", `must be "v1" or "v2"`)
  const model = options.model ?? defaults.model
  if (model.trim() === "") return invalid("model", "is empty")
  const timeout = Duration.decode(options.timeout ?? defaults.timeout)
  if (!Duration.greaterThan(timeout, Duration.zero)) return invalid("timeout", "must be longer than zero")
  if (!isPositiveInteger(options.maxTokensPerDoc)) return invalid("maxTokensPerDoc", "must be an integer >= 1")
  if (!isPositiveInteger(options.maxChunksPerDoc)) return invalid("maxChunksPerDoc", "must be an integer >= 1")
  if (
    options.priority !== undefined &&
    !(Number.isInteger(options.priority) && options.priority >= 0 && options.priority <= 999)
  ) {
    return invalid("priority", "must be an integer from 0 to 999")
  }
  const maxRequestBytes = options.maxRequestBytes ?? defaults.maxRequestBytes
  if (!isPositiveInteger(maxRequestBytes)) return invalid("maxRequestBytes", "must be an integer >= 1")
  const batching = Batching.resolve(options)
  if (Either.isLeft(batching)) return invalid(batching.left.option, batching.left.reason)
  if (
    options.totalTimeout !== undefined &&
    !Duration.greaterThan(Duration.decode(options.totalTimeout), Duration.zero)
  ) {
    return invalid("totalTimeout", "must be longer than zero")
  }
  return Either.right({
    baseUrl,
    apiVersion,
    model,
    timeout,
    maxRequestBytes,
    propagate: options.tracePropagation ?? loopback
  })
}

const transportError = (error: HttpClientError.HttpClientError): RerankError.TransportError => {
  // Node's fetch hides the system error (ECONNREFUSED, ECONNRESET, ENOTFOUND) one or two causes down.
  const causes: Array<string> = []
  let cause: unknown = error.cause
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code
    causes.push(typeof code === "string" ? code : cause.message)
    cause = cause.cause
  }
  const what = error._tag === "RequestError" ? error.reason : "reading the response body failed"
  return new RerankError.TransportError({
    reason: [what, ...causes].filter((part) => part !== "").join(": "),
    attempts: 1
  })
}

const headersOf = (response: HttpClientResponse.HttpClientResponse): Record<string, string | undefined> =>
  response.headers as Record<string, string | undefined>

/**
 * Builds the Cohere `Reranker`. Fails with a `ConfigError` naming the option when the options make no sense
 * (a plain-http base URL to a remote host, an empty key, a priority out of range, ...).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Reranker.Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(options)
    const secret = Redacted.value(options.apiKey)
    const baseUrl = settings.baseUrl.href.replace(/\/+$/, "")
    const path = `/${settings.apiVersion}/rerank`
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(baseUrl),
          HttpClientRequest.bearerToken(options.apiKey),
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("User-Agent", `effect-rerank/${version}`),
          options.clientName === undefined ? identity : HttpClientRequest.setHeader("X-Client-Name", options.clientName)
        )
      ),
      HttpClient.withTracerPropagation(settings.propagate),
      options.transformClient ?? identity
    )
    const policy: Schedule.Schedule<unknown, RerankError.RerankError> = Schedule.isSchedule(options.retry)
      ? options.retry
      : RetryPolicy.make(options.retry)

    const rerankWindow = (request: Reranker.WindowRequest) => {
      const body = JSON.stringify(
        Wire.encodeRequest(settings.apiVersion, {
          model: request.model,
          query: request.query,
          documents: request.documents,
          topN: request.topN,
          maxTokensPerDoc: options.maxTokensPerDoc,
          priority: options.priority,
          maxChunksPerDoc: options.maxChunksPerDoc,
          returnDocuments: options.returnDocuments
        })
      )
      const bodyBytes = new TextEncoder().encode(body).length

      const decode = (response: HttpClientResponse.HttpClientResponse, text: string) => {
        const fail = (reason: string) =>
          new RerankError.ResponseDecodeError({
            reason,
            status: response.status,
            requestId: headersOf(response)["x-debug-trace-id"],
            attempts: 1
          })
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          // Say what came back, never the body itself: it could echo document texts.
          const contentType = headersOf(response)["content-type"] ?? "no content type"
          return Either.left(fail(`the body is not JSON (${contentType}, ${text.length} characters)`))
        }
        return Wire.decodeResponse(json).pipe(
          Either.mapLeft((error) => fail(`the body is not a rerank response: ${Wire.describeIssue(error)}`)),
          Either.map((decoded): Reranker.WindowResponse => ({
            results: decoded.results.map((r) => ({ index: r.index, score: r.relevance_score })),
            searchUnits: decoded.meta?.billed_units?.search_units ?? 0,
            warnings: Wire.warningsOf(decoded)
          }))
        )
      }

      const onError = (response: HttpClientResponse.HttpClientResponse, text: string) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.fail(
            ResponseError.fromResponse({
              status: response.status,
              headers: headersOf(response),
              body: text,
              now,
              documents: request.documents.length,
              maxChunksPerDoc: options.maxChunksPerDoc ?? Wire.defaultMaxChunksPerDoc,
              bodyBytes,
              maxRequestBytes: settings.maxRequestBytes,
              secret
            })
          )
        )

      const attempt = client
        .execute(HttpClientRequest.post(path).pipe(HttpClientRequest.bodyText(body, "application/json")))
        .pipe(
          Effect.flatMap((response) =>
            Effect.flatMap(response.text, (text) =>
              response.status >= 200 && response.status < 300 ? decode(response, text) : onError(response, text)
            )
          ),
          Effect.catchTags({
            RequestError: (error) => Effect.fail(transportError(error)),
            ResponseError: (error) => Effect.fail(transportError(error))
          }),
          Effect.timeoutFail({
            duration: settings.timeout,
            onTimeout: () => new RerankError.TimeoutError({ timeout: settings.timeout, scope: "attempt", attempts: 1 })
          })
        )

      if (bodyBytes > settings.maxRequestBytes) {
        return Effect.fail(
          new RerankError.PayloadLimitError({
            limit: settings.maxRequestBytes,
            actual: bodyBytes,
            unit: "bytes",
            attempts: 0
          })
        )
      }
      return Effect.suspend(() => {
        let attempts = 0
        return Effect.suspend(() => {
          attempts++
          return Effect.zipRight(request.onAttempt, attempt).pipe(
            Effect.tapError((error) =>
              Effect.logDebug("rerank attempt failed").pipe(
                Effect.annotateLogs({ attempt: attempts, error: error._tag, status: error.status ?? "none" })
              )
            )
          )
        }).pipe(
          Effect.retry(policy),
          Effect.mapError((error) => RerankError.withAttempts(error, attempts)),
          Effect.tap(() => Effect.annotateCurrentSpan("rerank.attempts", attempts)),
          Effect.tapError((error) => Effect.annotateCurrentSpan("rerank.attempts", error.attempts)),
          Effect.withSpan("Cohere.rerankWindow", {
            attributes: { "rerank.window.documents": request.documents.length, "url.path": path }
          })
        )
      })
    }

    return Reranker.make({ system: "cohere", model: settings.model, rerankWindow }, options)
  })

/**
 * The Cohere `Reranker` from explicit options.
 *
 * @example
 * ```ts
 * import { Cohere } from "@effect-rerank/http"
 * import { Redacted } from "effect"
 *
 * const CohereLive = Cohere.layer({ apiKey: Redacted.make("..."), model: "rerank-v3.5" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(Reranker.Reranker, make(options))

/**
 * `layerConfig` options: like `Options`, but the key and base URL are `Config`s (read from the environment by
 * default) and the key is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions extends Omit<Options, "apiKey" | "baseUrl"> {
  /** Default: `COHERE_API_KEY`, falling back to `CO_API_KEY` (the official SDK's name). */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
  /** Default: `COHERE_BASE_URL` when set, else `https://api.cohere.com`. */
  readonly baseUrl?: Config.Config<Option.Option<string>> | undefined
}

/**
 * The API key from `COHERE_API_KEY`, else `CO_API_KEY`; missing both is a `ConfigError` naming `COHERE_API_KEY`.
 *
 * @since 0.1.0
 * @category config
 */
export const apiKeyConfig: Config.Config<Redacted.Redacted<string>> = Config.redacted("COHERE_API_KEY").pipe(
  Config.orElse(() => Config.redacted("CO_API_KEY")),
  Config.mapOrFail((key) =>
    Redacted.value(key).trim() === ""
      ? Either.left(ConfigError.InvalidData(["COHERE_API_KEY"], "COHERE_API_KEY is empty: set it to a Cohere API key"))
      : Either.right(key)
  )
)

/**
 * The Cohere `Reranker` configured from the environment: `COHERE_API_KEY` (or `CO_API_KEY`) and optional
 * `COHERE_BASE_URL`. A missing key fails here, at layer construction, not with a 401 later.
 *
 * @example
 * ```ts
 * import { Cohere } from "@effect-rerank/http"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 *
 * const RerankerLive = Cohere.layerConfig({ model: "rerank-v3.5" }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    Reranker.Reranker,
    Effect.gen(function* () {
      const apiKey = yield* (options.apiKey ?? apiKeyConfig).pipe(
        Effect.mapError((error) =>
          ConfigError.isMissingDataOnly(error)
            ? ConfigError.MissingData(
                ["COHERE_API_KEY"],
                "Set COHERE_API_KEY (or CO_API_KEY) to a Cohere API key; no key was found in the environment"
              )
            : error
        )
      )
      const baseUrl = yield* options.baseUrl ?? Config.option(Config.nonEmptyString("COHERE_BASE_URL"))
      return yield* make({ ...options, apiKey, baseUrl: Option.getOrUndefined(baseUrl) })
    })
  )
