/**
 * Cohere's Rerank API (v2 by default, v1 on request, and any server that speaks it) as a `Reranker` over
 * `@effect/platform`'s `HttpClient`. This module is the provider: one attempt at one window, in Cohere's wire format
 * (`CohereSchema`), through the shared transport and status table. Retries, timeouts, batching and merging are the
 * core's, the same as for every provider.
 *
 * @since 0.1.0
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Mutable } from "effect/Types"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as CohereSchema from "./CohereSchema.js"
import * as CohereDecode from "./internal/cohereDecode.js"
import * as LayerConfig from "./internal/config.js"
import * as ResponseError from "./internal/responseError.js"
import * as Transport from "./internal/transport.js"

/**
 * @since 0.1.0
 * @category models
 */
export type ApiVersion = CohereSchema.ApiVersion

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
  maxDocumentsPerRequest: CohereSchema.maxDocumentsPerRequest,
  /** A client-side guard; Cohere publishes no byte limit, so this only stops runaway bodies before they are sent. */
  maxRequestBytes: 10 * 1024 * 1024,
  /** Room for 10,000 results with their documents; a 1,000-result answer is about 50 KB. */
  maxResponseBytes: 16 * 1024 * 1024
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
  /**
   * Largest response body read, in bytes; a larger 2xx fails with `ResponseDecodeError` (not retried) without
   * reading past the cap. Default 16 MiB.
   */
  readonly maxResponseBytes?: number | undefined
  /** Allow a plain `http://` base URL on a non-loopback host, sending the key in clear. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
  /** Send trace propagation headers. Default: only to loopback hosts, never to third parties. */
  readonly tracePropagation?: boolean | undefined
  /** Applied to the configured client last: add middleware, a proxy, logging. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const advice = {
  key: "Cohere reads the key from COHERE_API_KEY (or CO_API_KEY).",
  endpoint: "A Cohere-compatible endpoint answers POST /v2/rerank or /v1/rerank (COHERE_BASE_URL)."
}

/** Cohere's words for Cohere's errors; the core's messages stay vendor-neutral. */
const hint = (error: RerankError.RerankError): string | undefined => {
  switch (error._tag) {
    case "AuthenticationError":
      return error.reason === "invalid-key" ? advice.key : undefined
    case "ResponseDecodeError":
    case "TransportError":
      return advice.endpoint
    case "InvalidRequestError":
      return error.status === 404 ? advice.endpoint : undefined
    default:
      return undefined
  }
}

interface Settings {
  readonly baseUrl: string
  readonly propagate: boolean
  readonly apiVersion: ApiVersion
  readonly model: string
  readonly maxRequestBytes: number
  readonly maxResponseBytes: number
}

const invalid = Transport.invalid
const isPositiveInteger = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 1)

const settingsOf = (options: Options): Either.Either<Settings, ConfigError.ConfigError> =>
  Either.gen(function* () {
    const endpoint = yield* Transport.checkEndpoint({
      baseUrl: options.baseUrl ?? defaults.baseUrl,
      apiKeyName: "apiKey",
      apiKey: options.apiKey,
      allowInsecureHttp: options.allowInsecureHttp,
      tracePropagation: options.tracePropagation
    })
    const apiVersion = options.apiVersion ?? defaults.apiVersion
    if (!Schema.is(CohereSchema.ApiVersion)(apiVersion)) {
      return yield* invalid("apiVersion", `must be "v1" or "v2"`)
    }
    const model = options.model ?? defaults.model
    if (typeof model !== "string" || model.trim() === "") return yield* invalid("model", "is empty")
    if (!isPositiveInteger(options.maxTokensPerDoc)) return yield* invalid("maxTokensPerDoc", "must be an integer >= 1")
    if (!isPositiveInteger(options.maxChunksPerDoc)) return yield* invalid("maxChunksPerDoc", "must be an integer >= 1")
    const { priority } = options
    const { max, min } = CohereSchema.priorityRange
    if (priority !== undefined && !(Number.isInteger(priority) && priority >= min && priority <= max)) {
      return yield* invalid("priority", `must be an integer from ${min} to ${max}`)
    }
    const maxRequestBytes = options.maxRequestBytes ?? defaults.maxRequestBytes
    if (!isPositiveInteger(maxRequestBytes)) return yield* invalid("maxRequestBytes", "must be an integer >= 1")
    const maxResponseBytes = options.maxResponseBytes ?? defaults.maxResponseBytes
    if (!isPositiveInteger(maxResponseBytes)) return yield* invalid("maxResponseBytes", "must be an integer >= 1")
    return { ...endpoint, apiVersion, model, maxRequestBytes, maxResponseBytes }
  })

const decodeErrorBody = Schema.decodeUnknownOption(CohereSchema.ErrorBody)

const chunkLimit = /max(imum)? chunks/i

/** Cohere's error responses: `{id, message}`, `x-debug-trace-id`, and the 400 that is really a payload limit. */
const cohereErrors: ResponseError.Protocol = {
  errorBody: (json) => Option.getOrElse(decodeErrorBody(json), () => ({})),
  requestIdHeader: CohereSchema.requestIdHeader,
  special: (fields, context) => {
    if (fields.status !== 400 || !chunkLimit.test(fields.serverMessage ?? "")) return undefined
    const stated = /less than (\d+)/i.exec(fields.serverMessage ?? "")
    return new RerankError.PayloadLimitError({
      ...fields,
      limit: stated === null ? CohereSchema.maxTotalChunks : Number(stated[1]),
      actual: context.chunks,
      unit: "chunks"
    })
  }
}

/**
 * Cohere as a `Reranker.Provider`: one attempt at one window. Fails with a `ConfigError` naming the option when the
 * Cohere-specific options make no sense (a plain-http base URL to a remote host, an empty key, a priority out of
 * range, ...).
 *
 * @since 0.2.0
 * @category constructors
 */
export const provider = (
  options: Options
): Effect.Effect<Reranker.Provider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(options)
    const secret = Redacted.value(options.apiKey)
    const endpoint = yield* Transport.makeEndpoint({
      url: `${settings.baseUrl}/${settings.apiVersion}/rerank`,
      propagate: settings.propagate,
      authorize: Transport.bearer(options.apiKey),
      headers: options.clientName === undefined ? undefined : { "X-Client-Name": options.clientName },
      transformClient: options.transformClient,
      maxResponseBytes: settings.maxResponseBytes
    })

    const chunksPerDoc =
      settings.apiVersion === "v1" ? (options.maxChunksPerDoc ?? CohereSchema.defaultMaxChunksPerDoc) : 1

    // The wire body is built as the schema's encoded type (checked by the compiler, and by a test that decodes
    // what is sent) rather than run through `Schema.encode`: validating 1,000 strings we made ourselves, on every
    // call, would buy nothing.
    const encode = (request: Reranker.WindowRequest): string => {
      const topN = Option.getOrUndefined(request.topN)
      if (settings.apiVersion === "v2") {
        const body: Mutable<typeof CohereSchema.V2Request.Encoded> = {
          model: request.model,
          query: request.query,
          documents: request.documents
        }
        if (topN !== undefined) body.top_n = topN
        if (options.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = options.maxTokensPerDoc
        if (options.priority !== undefined) body.priority = options.priority
        return JSON.stringify(body)
      }
      const body: Mutable<typeof CohereSchema.V1Request.Encoded> = {
        model: request.model,
        query: request.query,
        documents: request.documents
      }
      if (topN !== undefined) body.top_n = topN
      if (options.maxChunksPerDoc !== undefined) body.max_chunks_per_doc = options.maxChunksPerDoc
      if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
      return JSON.stringify(body)
    }

    const rerankWindow = (
      request: Reranker.WindowRequest
    ): Effect.Effect<Reranker.WindowResponse, RerankError.RerankError> => {
      // Encoded once per window, not per attempt; counted without a copy.
      const body = encode(request)
      const bytes = Buffer.byteLength(body)
      if (bytes > settings.maxRequestBytes) {
        return Either.left(
          new RerankError.PayloadLimitError({ limit: settings.maxRequestBytes, actual: bytes, unit: "bytes" })
        )
      }
      const documents = request.documents.length
      const chunks = documents * chunksPerDoc
      const failed = (reply: Transport.Reply) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.fail(
            ResponseError.fromReply(cohereErrors, {
              reply,
              now,
              secret,
              requestBytes: bytes,
              maxRequestBytes: settings.maxRequestBytes,
              documents,
              chunks
            })
          )
        )
      return Effect.flatMap(Transport.post(endpoint, body, bytes), (reply) =>
        HttpClientResponse.matchStatus(reply.response, {
          "2xx": () => decodeReply(reply, secret),
          orElse: () => failed(reply)
        })
      )
    }

    return {
      system: "cohere",
      model: settings.model,
      maxDocumentsPerRequest: defaults.maxDocumentsPerRequest,
      hint,
      rerankWindow
    } satisfies Reranker.Provider
  })

const decodeReply = (
  reply: Transport.Reply,
  secret: string
): Effect.Effect<Reranker.WindowResponse, RerankError.ResponseDecodeError | RerankError.TransportError> => {
  const { response, text } = reply
  const requestId = ResponseError.serverText(
    Option.getOrUndefined(Headers.get(response.headers, CohereSchema.requestIdHeader)),
    secret
  )
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // Cut off in transit (a proxy or server dying mid-write), or not an API answer at all: transient, so retried.
    // Said by type and size only, never the body itself: it could echo document texts.
    const contentType =
      ResponseError.serverText(Option.getOrUndefined(Headers.get(response.headers, "content-type")), secret) ??
      "no content type"
    return Effect.fail(
      new RerankError.TransportError({
        reason: `the ${response.status} body is not complete JSON (${contentType}, ${text.length} characters): cut off in transit, or not this API's answer`,
        status: response.status,
        requestId
      })
    )
  }
  return Either.match(CohereDecode.decode(json), {
    onLeft: (issue) =>
      Effect.fail(
        new RerankError.ResponseDecodeError({
          reason: `the body is not a rerank response: ${issue}`,
          status: response.status,
          requestId
        })
      ),
    onRight: Effect.succeed
  })
}

/**
 * Builds the Cohere `Reranker`: the provider, with the core's retries, timeouts and batching. Fails with a
 * `ConfigError` naming the option when an option makes no sense.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Reranker.Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.flatMap(provider(options), (cohere) => Reranker.make(cohere, options))

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
 * `layerConfig`'s options: every option of `Options`, each a `Config` (`Config.succeed` for a constant). The key and
 * the base URL may be left out: they are then read from the environment.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOptions = Config.Config.Wrap<
  Omit<Options, "apiKey" | "baseUrl"> & {
    readonly apiKey?: Redacted.Redacted<string> | undefined
    readonly baseUrl?: string | undefined
  }
>

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

const missingKey = (error: ConfigError.ConfigError) =>
  ConfigError.isMissingDataOnly(error)
    ? ConfigError.MissingData(
        ["COHERE_API_KEY"],
        "Set COHERE_API_KEY (or CO_API_KEY) to a Cohere API key; no key was found in the environment"
      )
    : error

/**
 * The base URL from `COHERE_BASE_URL`, when set.
 *
 * @since 0.2.0
 * @category config
 */
export const baseUrlConfig: Config.Config<Option.Option<string>> = Config.option(
  Config.nonEmptyString("COHERE_BASE_URL")
)

/**
 * The Cohere `Reranker` configured through `Config`: every option may be a `Config`; the key defaults to
 * `COHERE_API_KEY` (or `CO_API_KEY`) and the base URL to `COHERE_BASE_URL`. A missing key fails here, at layer
 * construction, not with a 401 later.
 *
 * @example
 * ```ts
 * import { Cohere } from "@effect-rerank/http"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Config, Layer } from "effect"
 *
 * const RerankerLive = Cohere.layerConfig({
 *   model: Config.string("RERANK_MODEL").pipe(Config.withDefault("rerank-v3.5")),
 *   concurrency: Config.succeed(8)
 * }).pipe(Layer.provide(FetchHttpClient.layer))
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
      const given = yield* LayerConfig.unwrap(options)
      const apiKey = given.apiKey ?? (yield* Effect.mapError(apiKeyConfig, missingKey))
      const baseUrl = given.baseUrl ?? Option.getOrUndefined(yield* baseUrlConfig)
      return yield* make({ ...given, apiKey, baseUrl })
    })
  )
