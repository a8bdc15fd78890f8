/**
 * An HTTP rerank API as a `Reranker.Provider`, from its wire protocol. Every provider module of this package
 * (`Cohere`, `Jina`, `Voyage`, ...) is a `WireProtocol` (how a window becomes a request body, how a 200 body becomes
 * scores, how an error body reads) handed to `make`. The transport
 * (endpoint checks, one request built once, the body cap, no redirects), the status table and the response checks
 * are shared, and everything past one attempt (retries, timeouts, batching, merging) is the core's.
 *
 * Write your own HTTP provider the same way: a `WireProtocol` of a few functions, then `HttpProvider.layer`.
 *
 * @since 0.2.0
 */
import { type Billing, OptionSchema, Provider, Reranker, RerankError, type RerankResult } from "@effect-rerank/core"
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as LayerConfig from "./internal/config.js"
import * as ResponseError from "./internal/responseError.js"
import * as Transport from "./internal/transport.js"

/**
 * What every HTTP provider accepts, beside its own options.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommonOptions extends Reranker.Options {
  /** The key; required by hosted APIs, optional for self-hosted servers that run without one. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** The API's address. Plain `http://` is refused unless the host is loopback or `allowInsecureHttp`. */
  readonly baseUrl?: string | undefined
  /** The default model; a request's own `model` wins. */
  readonly model?: string | undefined
  /**
   * `"probability"`: scores as probabilities, where that is what they mean: a provider's logits (TEI with
   * `raw_scores`) through the sigmoid, its probabilities as they are; refused (`ConfigError`, or
   * `InvalidRequestError` for a request's model) where the scores are on a model's own scale, since any mapping would
   * be a guess. `"sigmoid"`: the sigmoid applied whatever the provider says (you know your model gives logits). The
   * order is unchanged either way. Default `"raw"`: scores as the provider sent them.
   */
  readonly scores?: "raw" | "probability" | "sigmoid" | undefined
  /** Largest request body sent, in bytes; larger fails with `PayloadLimitError` before sending. Default 10 MiB. */
  readonly maxRequestBytes?: number | undefined
  /** Largest 2xx body read, in bytes; larger fails with `ResponseDecodeError` without reading past it. 16 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Allow a plain `http://` base URL on a non-loopback host, sending the key in clear. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
  /** Send trace propagation headers. Default: only to loopback hosts, never to third parties. */
  readonly tracePropagation?: boolean | undefined
  /** Applied to the configured client last: add middleware, a proxy, logging. */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * How one provider's error responses read: the message, request id and error code of a parsed JSON body (or the
 * headers), and the provider's own reading of a response before the shared status table.
 *
 * @since 0.2.0
 * @category models
 */
export type ErrorReading = ResponseError.Protocol

/**
 * One rerank protocol, the client's half: the request body, the 200 body, the error body, auth and limits. The
 * server's half of the same protocol (`@effect-rerank/server`'s `ServerProtocols`) reads and writes the same
 * schemas the other way round; a provider of your own needs none.
 *
 * @since 0.2.0
 * @category models
 */
export interface WireProtocol<Options extends CommonOptions = CommonOptions> {
  /** `gen_ai.system`, and the server's route prefix. */
  readonly system: string
  readonly defaults: {
    /** Absent where there is no public address (self-hosted servers): the base URL is then required. */
    readonly baseUrl?: string | undefined
    readonly model: string
    /** The published per-request document limit, the default of `maxDocumentsPerRequest`. */
    readonly maxDocumentsPerRequest: number
  }
  /**
   * A document limit the provider publishes for a model (Pinecone's per-model table, Voyage's 1,000 for every
   * model): no request naming that model holds more, whatever `maxDocumentsPerRequest` says.
   */
  readonly maxDocumentsFor?: ((model: string) => number | undefined) | undefined
  /** The path under the base URL, e.g. `/v1/rerank`. */
  readonly path: (options: Options) => string
  /** Said on an invalid-key error: where the key comes from. */
  readonly keyAdvice: string
  /** Said on a transport, decode or 404 error: what an endpoint of this protocol answers. */
  readonly endpointAdvice: string
  /** How the key is sent. Default `Authorization: Bearer <key>`. */
  readonly authorize?:
    | ((
        apiKey: Redacted.Redacted<string>
      ) => (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest)
    | undefined
  /** Constant headers beside auth, `Accept` and `User-Agent`. */
  readonly headers?: ((options: Options) => Readonly<Record<string, string>> | undefined) | undefined
  /**
   * The schema of the provider's own options (built from `OptionSchema`'s pieces): a bad value fails construction
   * with a `ConfigError` naming the option, like the common ones.
   */
  readonly options?: Schema.Schema<any, any> | undefined
  /**
   * The options that change a score (truncation, token limits, raw scores), any JSON value: part of the provider's
   * identity, so of the score cache's keys. Default: none beyond the model.
   */
  readonly scoring?: ((options: Options) => unknown) | undefined
  /** Units a 413 or a chunk limit may count per document (Cohere v1 chunks). Default 1. */
  readonly chunksPerDocument?: ((options: Options) => number) | undefined
  /**
   * Signs each attempt (AWS SigV4 for Bedrock), when the options carry what it needs: called per attempt with the
   * request, its body and the clock's time, since a signature carries its time.
   */
  readonly signer?: ((options: Options) => Signer | undefined) | undefined
  /**
   * Credentials besides `apiKey`, never to be echoed back into an error (AWS's secret key, access key id and session
   * token). The first identifies the account (the cache and quota scopes use its fingerprint) when there is no key.
   */
  readonly secretsOf?: ((options: Options) => ReadonlyArray<string>) | undefined
  /**
   * How it takes structured documents (a call's `fields`, `Provider.fields`): an encoding of its own (YAML for
   * Cohere v2), or native rank fields (`WindowRequest.records`, sent as objects with `rank_fields`). Default:
   * `name: value` lines.
   */
  readonly fields?: ((options: Options) => Reranker.Provider["fields"]) | undefined
  /**
   * How a model takes an instruction (`Provider.instructionFor`): its own field, or the query text in the documented
   * format. Default: none documented.
   */
  readonly instructionFor?:
    ((options: Options, model: string) => ReturnType<NonNullable<Reranker.Provider["instructionFor"]>>) | undefined
  /**
   * What the provider's scores are for a model (`RerankResult.ScoreKind`), as its documentation says. Default
   * `unbounded`: no documented range, so `scores: "probability"` is refused.
   */
  readonly scoreKind?: ((options: Options, model: string) => RerankResult.ScoreKind) | undefined
  /**
   * How the provider bills: its unit, its published rule for a window whose response does not say (Bedrock's query
   * per 100 documents; Cohere's search unit per 100 documents, a floor since long documents count more), and default
   * prices by model (each module says their date and source). A response that reports its units (`billed` from
   * `decodeResponse`) wins over the rule.
   */
  readonly billing?:
    | {
        readonly unit: Billing.Unit
        readonly computed?: ((documents: number) => number) | undefined
        readonly prices?: Billing.Prices | undefined
      }
    | undefined
  /**
   * A window this provider cannot take as asked, refused before anything is sent (attempts 0): NVIDIA's hosted
   * catalog serves one model per URL, Contextual's metadata must name fields the documents have. Default: none.
   */
  readonly refuse?:
    ((request: Reranker.WindowRequest, options: Options) => RerankError.RerankError | undefined) | undefined
  /** The window as this provider's JSON body: only the fields the caller set. */
  readonly encodeRequest: (request: Reranker.WindowRequest, options: Options) => unknown
  /** A parsed 200 body to the window's results, or where it went wrong (by path, never quoting values). */
  readonly decodeResponse: (json: unknown) => Either.Either<Reranker.WindowResponse, string>
  readonly errors: ErrorReading
}

/**
 * Signs one attempt's request.
 *
 * @since 0.2.0
 * @category models
 */
export type Signer = (
  request: HttpClientRequest.HttpClientRequest,
  body: string,
  now: number
) => Effect.Effect<HttpClientRequest.HttpClientRequest, RerankError.RerankError>

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  /** A client-side guard against runaway bodies: no provider here publishes a smaller byte limit. */
  maxRequestBytes: 10 * 1024 * 1024,
  /** Room for 10,000 results with their documents. */
  maxResponseBytes: 16 * 1024 * 1024
} as const

interface Settings {
  readonly url: string
  readonly propagate: boolean
  readonly model: string
  readonly maxRequestBytes: number
  readonly maxResponseBytes: number
}

/**
 * The options every HTTP provider takes, beside the core's: a `ConfigError` naming the option when one makes no
 * sense.
 *
 * @since 0.2.0
 * @category schemas
 */
export const CommonOptionsSchema = Schema.Struct({
  baseUrl: Schema.optional(OptionSchema.NonEmptyString),
  model: Schema.optional(OptionSchema.NonEmptyString),
  scores: Schema.optional(OptionSchema.choice(["raw", "probability", "sigmoid"])),
  maxRequestBytes: Schema.optional(OptionSchema.PositiveInt),
  maxResponseBytes: Schema.optional(OptionSchema.PositiveInt),
  allowInsecureHttp: Schema.optional(OptionSchema.Flag),
  tracePropagation: Schema.optional(OptionSchema.Flag)
})

const decodeCommon = OptionSchema.decoder(CommonOptionsSchema)

const settingsOf = <O extends CommonOptions>(
  protocol: WireProtocol<O>,
  options: O
): Either.Either<Settings, ConfigError.ConfigError> =>
  Either.gen(function* () {
    const common = yield* decodeCommon(options)
    if (protocol.options !== undefined) yield* OptionSchema.decoder(protocol.options)(options)
    const baseUrl = common.baseUrl ?? protocol.defaults.baseUrl
    if (baseUrl === undefined) {
      return yield* Transport.invalid("baseUrl", "is required: this server has no public address")
    }
    const endpoint = yield* Transport.checkEndpoint({
      baseUrl,
      apiKeyName: "apiKey",
      apiKey: options.apiKey,
      allowInsecureHttp: common.allowInsecureHttp,
      tracePropagation: common.tracePropagation
    })
    return {
      url: Transport.endpointUrl(endpoint, protocol.path(options)),
      propagate: endpoint.propagate,
      model: common.model ?? protocol.defaults.model,
      maxRequestBytes: common.maxRequestBytes ?? defaults.maxRequestBytes,
      maxResponseBytes: common.maxResponseBytes ?? defaults.maxResponseBytes
    }
  })

/**
 * Logits to (0, 1). Monotone, so a window's order, ties and the merge are unchanged.
 *
 * @since 0.2.0
 * @category utils
 */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

const hintOf =
  (protocol: WireProtocol<any>) =>
  (error: RerankError.RerankError): string | undefined => {
    switch (error._tag) {
      case "AuthenticationError":
        return error.reason === "invalid-key" ? protocol.keyAdvice : undefined
      case "ResponseDecodeError":
      case "TransportError":
        return protocol.endpointAdvice
      case "InvalidRequestError":
        return error.status === 404 ? protocol.endpointAdvice : undefined
      default:
        return undefined
    }
  }

const decodeReply = (
  protocol: WireProtocol<any>,
  reply: Transport.Reply,
  scrub: (text: string) => string,
  normalize: boolean
): Effect.Effect<Reranker.WindowResponse, RerankError.ResponseDecodeError | RerankError.TransportError> => {
  const { headers, response, text } = reply
  const idHeader = protocol.errors.requestIdHeader
  const requestId = ResponseError.serverText(
    idHeader === undefined ? undefined : Option.getOrUndefined(Headers.get(headers, idHeader)),
    scrub
  )
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // Cut off in transit (a proxy or server dying mid-write), or not an API answer at all: transient, so retried.
    // Said by type and size only, never the body itself: it could echo document texts.
    const contentType =
      ResponseError.serverText(Option.getOrUndefined(Headers.get(headers, "content-type")), scrub) ?? "no content type"
    return Effect.fail(
      new RerankError.TransportError({
        reason: `the ${response.status} body is not complete JSON (${contentType}, ${text.length} characters): cut off in transit, or not this API's answer`,
        status: response.status,
        requestId
      })
    )
  }
  const decoded = protocol.decodeResponse(json)
  if (Either.isLeft(decoded)) {
    return Effect.fail(
      new RerankError.ResponseDecodeError({
        reason: `the body is not a rerank response: ${decoded.left}`,
        status: response.status,
        requestId
      })
    )
  }
  if (!normalize) return Effect.succeed(decoded.right)
  const { results } = decoded.right
  return Effect.succeed({
    ...decoded.right,
    results: results.map((r) => ({ index: r.index, score: sigmoid(r.score) }))
  })
}

/**
 * One window as this protocol sends it: the JSON body, encoded once however many attempts it takes.
 *
 * @since 0.2.0
 * @category models
 */
export interface Prepared {
  readonly body: string
  readonly documents: number
  /** The window's scores go through the sigmoid (`scores: "sigmoid"`, or `"probability"` over logits). */
  readonly sigmoid: boolean
}

/**
 * The provider: one window encoded once (refused before sending when the body is over `maxRequestBytes`), then one
 * attempt per call of its effect. Fails with a `ConfigError` naming the option when an option makes no sense (a
 * plain-http base URL to a remote host, a key with control characters, ...).
 *
 * @since 0.2.0
 * @category constructors
 */
export const provider = <O extends CommonOptions>(
  protocol: WireProtocol<O>,
  options: O
): Effect.Effect<Reranker.Provider<Prepared>, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const settings = yield* settingsOf(protocol, options)
    const secrets = [
      ...(options.apiKey === undefined ? [] : [Redacted.value(options.apiKey)]),
      ...(protocol.secretsOf?.(options) ?? [])
    ].filter((secret) => secret !== "")
    const scrub = ResponseError.scrubber(secrets)
    const authorize = protocol.authorize ?? Transport.bearer
    const endpoint = yield* Transport.makeEndpoint({
      url: settings.url,
      propagate: settings.propagate,
      authorize: options.apiKey === undefined ? (request) => request : authorize(options.apiKey),
      headers: protocol.headers?.(options),
      transformClient: options.transformClient,
      maxResponseBytes: settings.maxResponseBytes
    })
    const chunksPerDocument = protocol.chunksPerDocument?.(options) ?? 1
    const kindOf = (model: string): RerankResult.ScoreKind => protocol.scoreKind?.(options, model) ?? "unbounded"
    // How a model's scores are mapped: through the sigmoid, as they are, or refused as a guess.
    const mappingOf = (model: string): "sigmoid" | "none" | "guess" => {
      if (options.scores === "sigmoid") return "sigmoid"
      if (options.scores !== "probability") return "none"
      const kind = kindOf(model)
      return kind === "logit" ? "sigmoid" : kind === "probability" ? "none" : "guess"
    }
    const guessed = (model: string) =>
      `"probability" cannot be honoured for ${protocol.system}'s ${model}: its scores are on the model's own scale (no documented range), so any mapping would be a guess; use "raw", or "sigmoid" if you know they are logits`
    if (mappingOf(settings.model) === "guess") {
      return yield* Effect.fail(ConfigError.InvalidData(["scores"], guessed(settings.model)))
    }
    const sign = protocol.signer?.(options)
    const billing = protocol.billing
    // A response that does not say what it was billed gets the provider's published rule, marked computed.
    const billedBy =
      (documents: number) =>
      (response: Reranker.WindowResponse): Reranker.WindowResponse =>
        response.billed !== undefined || billing?.computed === undefined
          ? response
          : { ...response, billed: { unit: billing.unit, quantity: billing.computed(documents), source: "computed" } }

    const prepare = (request: Reranker.WindowRequest): Either.Either<Prepared, RerankError.RerankError> => {
      const refused = protocol.refuse?.(request, options)
      if (refused !== undefined) return Either.left(refused)
      const body = JSON.stringify(protocol.encodeRequest(request, options))
      const over = Transport.overLimit(body, settings.maxRequestBytes)
      return over !== undefined
        ? Either.left(
            new RerankError.PayloadLimitError({ limit: settings.maxRequestBytes, actual: over, unit: "bytes" })
          )
        : mappingOf(request.model) === "guess"
          ? Either.left(new RerankError.InvalidRequestError({ field: "scores", reason: guessed(request.model) }))
          : Either.right({
              body,
              documents: request.documents.length,
              sigmoid: mappingOf(request.model) === "sigmoid"
            })
    }

    const rerankWindow = ({
      body,
      documents,
      sigmoid
    }: Prepared): Effect.Effect<Reranker.WindowResponse, RerankError.RerankError> => {
      const failed = (reply: Transport.Reply) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.fail(
            ResponseError.fromReply(protocol.errors, {
              reply,
              now,
              scrub,
              requestBytes: () => Transport.utf8Length(body),
              maxRequestBytes: settings.maxRequestBytes,
              documents,
              chunks: documents * chunksPerDocument
            })
          )
        )
      const send =
        sign === undefined
          ? Transport.post(endpoint, body)
          : Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.flatMap(sign(endpoint.request, body, now), (signed) =>
                Transport.post({ ...endpoint, request: signed }, body)
              )
            )
      return Effect.flatMap(send, (reply) =>
        HttpClientResponse.matchStatus(reply.response, {
          "2xx": () => Effect.map(decodeReply(protocol, reply, scrub, sigmoid), billedBy(documents)),
          orElse: () => failed(reply)
        })
      )
    }

    return {
      specificationVersion: Provider.specificationVersion,
      system: protocol.system,
      model: settings.model,
      maxDocumentsPerRequest: protocol.defaults.maxDocumentsPerRequest,
      maxDocumentsFor: protocol.maxDocumentsFor,
      hint: hintOf(protocol),
      prepare,
      rerankWindow,
      // Every protocol here fronts a cross-encoder: each document is scored alone against the query.
      pointwise: true,
      prices: billing?.prices,
      ...(protocol.fields === undefined ? {} : { fields: protocol.fields(options) }),
      ...(protocol.instructionFor === undefined
        ? {}
        : { instructionFor: (model: string) => protocol.instructionFor!(options, model) }),
      scoreKind: (model) => (mappingOf(model) === "sigmoid" ? "probability" : kindOf(model)),
      identity: {
        endpoint: settings.url,
        // The key's fingerprint, never the key: the same key on the same endpoint shares one budget and one cache.
        key: secrets.length === 0 ? undefined : Provider.fingerprint(secrets[0]),
        scoring: [protocol.scoring?.(options) ?? null, options.scores ?? "raw"]
      }
    } satisfies Reranker.Provider<Prepared>
  })

/**
 * The `Reranker` over this protocol, with the core's retries, timeouts and batching.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <O extends CommonOptions>(
  protocol: WireProtocol<O>,
  options: O
): Effect.Effect<Reranker.Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.flatMap(provider(protocol, options), (p) => Reranker.make(p, options))

/**
 * @since 0.2.0
 * @category layers
 */
export const layer = <O extends CommonOptions>(
  protocol: WireProtocol<O>,
  options: O
): Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(Reranker.Reranker, make(protocol, options))

/**
 * Where `layerConfig` reads a provider's key and base URL from.
 *
 * @since 0.2.0
 * @category models
 */
export type Variables = LayerConfig.Variables

/**
 * `layerConfig`'s options: every option, each a `Config` (`Config.succeed` for a constant); the key and base URL may
 * be left out, to be read from the provider's variables.
 *
 * @since 0.2.0
 * @category models
 */
export type ConfigOptions<O extends CommonOptions> = LayerConfig.ConfigOptions<O>

/**
 * A provider module's constructors.
 *
 * @since 0.2.0
 * @category models
 */
export interface Constructors<O extends CommonOptions, C = ConfigOptions<O>> {
  readonly make: (options: O) => Effect.Effect<Reranker.Service, ConfigError.ConfigError, HttpClient.HttpClient>
  readonly layer: (options: O) => Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient>
  /**
   * Every option as a `Config`; the key and base URL from the provider's variables unless given. A missing required
   * key fails at layer construction with a `ConfigError` naming the variable, not with a 401 later.
   */
  readonly layerConfig: (options?: C) => Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient>
  /** Where `layerConfig` reads the key and the base URL: what a message should point a user at. */
  readonly variables: Variables
}

/**
 * What a provider adds to the common constructors, where it needs to.
 *
 * @since 0.2.0
 * @category models
 */
export interface Hooks<O extends CommonOptions, C> {
  /** Reads `layerConfig`'s options and the environment into options (default: the key and base URL variables). */
  readonly fromConfig?: ((options: C) => Effect.Effect<O, ConfigError.ConfigError>) | undefined
  /**
   * Checks and fills in what depends on other options before the provider is built (Bedrock's regional URL, Vertex's
   * token source, which fetches tokens with the layer's client).
   */
  readonly complete?: ((options: O) => Effect.Effect<O, ConfigError.ConfigError, HttpClient.HttpClient>) | undefined
}

/**
 * A provider module's constructors from its protocol and variables.
 *
 * @since 0.2.0
 * @category constructors
 */
export const constructors = <O extends CommonOptions, C = ConfigOptions<O>>(
  protocol: WireProtocol<O>,
  variables: Variables,
  hooks: Hooks<O, C> = {}
): Constructors<O, C> => {
  const makeReranker = (options: O) =>
    hooks.complete === undefined
      ? make(protocol, options)
      : Effect.flatMap(hooks.complete(options), (completed) => make(protocol, completed))
  const fromConfig =
    hooks.fromConfig ?? ((options: C) => LayerConfig.resolve<O>(variables, options as unknown as ConfigOptions<O>))
  return {
    make: makeReranker,
    layer: (options) => Layer.effect(Reranker.Reranker, makeReranker(options)),
    layerConfig: (options = {} as C) =>
      Layer.effect(Reranker.Reranker, Effect.flatMap(fromConfig(options), makeReranker)),
    variables
  }
}
