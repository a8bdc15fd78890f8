/**
 * Amazon Bedrock's `Rerank` (Bedrock Agent Runtime, `POST https://bedrock-agent-runtime.<region>.amazonaws.com/rerank`)
 * as a `Reranker`, signed with AWS Signature Version 4 (service `bedrock`).
 *
 * Sources: the Bedrock Agent Runtime API reference (API_agent-runtime_Rerank: `queries[]` of `{type: "TEXT",
 * textQuery: {text}}`, `sources[]` of `{type: "INLINE", inlineDocumentSource: {type: "TEXT", textDocument: {text}}}`
 * (at most 1,000), `rerankingConfiguration.bedrockRerankingConfiguration` with `numberOfResults` and
 * `modelConfiguration.modelArn`; response `results[].index`, `results[].relevanceScore`, `results[].document`,
 * `nextToken`), the Vercel AI SDK's Bedrock reranking model and its recorded fixture `amazon-bedrock-reranking.1.json`,
 * and the AWS SDK's error handling for the operation (`aws-sdk-bedrockagentruntime`'s `de_rerank_http_error`: the
 * exception name from `x-amzn-ErrorType`, the message from the body's `message`). Exception names decide the error,
 * not only the status: `ServiceQuotaExceededException` is a 400 that means "resubmit later" (a rate limit), and a
 * model-access failure arrives as a `ValidationException` wrapping a 403. Scores are in [0, 1].
 *
 * Credentials: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`), the AWS SDK's standard variables; or a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`) sent as a
 * bearer token.
 *
 * @since 0.2.0
 */
import { OptionSchema, RerankError } from "@effect-rerank/core"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as HttpProvider from "./HttpProvider.js"
import * as LayerConfig from "./internal/config.js"
import * as ResponseError from "./internal/responseError.js"
import * as SigV4 from "./internal/sigv4.js"
import * as Wire from "./internal/wire.js"

/**
 * Bedrock's rerank models; any other model id is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = ["amazon.rerank-v1:0", "cohere.rerank-v3-5:0"] as const

/**
 * Bedrock's rerank models; any other model id is allowed too.
 *
 * @since 0.2.0
 * @category models
 */
export type Model = (typeof models)[number] | (string & {})

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  model: "amazon.rerank-v1:0",
  /** At most 1,000 sources a request. */
  maxDocumentsPerRequest: 1000,
  /** The signing name of the Bedrock Agent Runtime. */
  service: "bedrock"
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  /** The AWS region, e.g. `us-west-2`; the default base URL is that region's Agent Runtime endpoint. */
  readonly region: string
  /** Signs every attempt with SigV4. Without it, `apiKey` (a Bedrock API key) is sent as a bearer token. */
  readonly credentials?: SigV4.Credentials | undefined
  /** Model-specific fields (`additionalModelRequestFields`). */
  readonly additionalModelRequestFields?: Readonly<Record<string, unknown>> | undefined
}

const TextQuery = Schema.Struct({ type: Schema.Literal("TEXT"), textQuery: Schema.Struct({ text: Schema.String }) })

const Source = Schema.Struct({
  type: Schema.Literal("INLINE"),
  // A text, or (for a call's `fields`) a JSON document: Bedrock's `RerankDocument` types TEXT and JSON.
  inlineDocumentSource: Schema.Union(
    Schema.Struct({ type: Schema.Literal("TEXT"), textDocument: Schema.Struct({ text: Schema.String }) }),
    Schema.Struct({
      type: Schema.Literal("JSON"),
      jsonDocument: Schema.Record({ key: Schema.String, value: Schema.Unknown })
    })
  )
})

/**
 * The `Rerank` request body (camelCase on the wire, as AWS's REST-JSON protocols are).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  queries: Schema.Array(TextQuery),
  sources: Schema.Array(Source),
  rerankingConfiguration: Schema.Struct({
    type: Schema.Literal("BEDROCK_RERANKING_MODEL"),
    bedrockRerankingConfiguration: Schema.Struct({
      numberOfResults: Wire.nullable(Wire.PositiveInt),
      modelConfiguration: Schema.Struct({
        modelArn: Schema.String,
        additionalModelRequestFields: Wire.nullable(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
      })
    })
  }),
  nextToken: Wire.nullable(Schema.String)
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  results: Schema.Array(
    Schema.Struct({ index: Schema.Number, relevanceScore: Schema.Number, document: Wire.nullable(Schema.Unknown) })
  ),
  nextToken: Wire.nullable(Schema.String)
})

/** The foundation model's ARN in a region; a full ARN (a provisioned or imported model) is used as given. */
export const modelArn = (region: string, model: string): string =>
  model.startsWith("arn:") ? model : `arn:aws:bedrock:${region}::foundation-model/${model}`

const invalidKey = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "InvalidClientTokenId"
])

const accessProblem = /\b403\b|access denied|don't have access|not authorized|not have access/i

/** `region` as the AWS SDK's standard variables and endpoints spell it. */
const RegionOptions = Schema.Struct({
  region: OptionSchema.matching(/^[a-z]{2}(-[a-z0-9]+)+-\d+$/, "an AWS region such as us-west-2")
})

const decodeRegion = OptionSchema.decoder(RegionOptions)

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "aws.bedrock",
  defaults: { model: defaults.model, maxDocumentsPerRequest: defaults.maxDocumentsPerRequest },
  // A published limit for every model: at most 1,000 sources.
  maxDocumentsFor: () => defaults.maxDocumentsPerRequest,
  path: () => "/rerank",
  keyAdvice:
    "Bedrock signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or takes a Bedrock API key from AWS_BEARER_TOKEN_BEDROCK.",
  endpointAdvice:
    "Bedrock's Agent Runtime answers POST /rerank at https://bedrock-agent-runtime.<region>.amazonaws.com (AWS_REGION).",
  options: RegionOptions,
  signer: (options) => {
    const { credentials, region } = options
    if (credentials === undefined) return undefined
    return (request, body, now) =>
      Effect.tryPromise({
        try: () =>
          SigV4.sign(
            { method: request.method, url: request.url, headers: request.headers, body },
            credentials,
            region,
            defaults.service,
            now
          ),
        // Only the kind of failure: its message could quote the request (a malformed path, say).
        catch: (cause) =>
          new RerankError.InvalidRequestError({
            field: "baseUrl",
            reason: `the request could not be signed with SigV4 (${cause instanceof Error ? cause.name : "failure"}): check the base URL's path and the credentials`
          })
      }).pipe(Effect.map((headers) => HttpClientRequest.setHeaders(request, headers)))
  },
  // The secret first: it identifies the account, as before session tokens rotated.
  secretsOf: ({ credentials }) =>
    credentials === undefined
      ? []
      : [
          Redacted.value(credentials.secretAccessKey),
          credentials.accessKeyId,
          ...(credentials.sessionToken === undefined ? [] : [Redacted.value(credentials.sessionToken)])
        ],
  scoring: (options) => [options.region, options.additionalModelRequestFields],
  encodeRequest: (request, options): typeof Request.Encoded => {
    const additional = options.additionalModelRequestFields
    return {
      queries: [{ type: "TEXT", textQuery: { text: request.query } }],
      sources:
        request.records === undefined
          ? request.documents.map((text) => ({
              type: "INLINE",
              inlineDocumentSource: { type: "TEXT", textDocument: { text } }
            }))
          : request.records.map((jsonDocument) => ({
              type: "INLINE",
              inlineDocumentSource: { type: "JSON", jsonDocument }
            })),
      rerankingConfiguration: {
        type: "BEDROCK_RERANKING_MODEL",
        bedrockRerankingConfiguration: {
          // Every score of the window unless fewer can reach the merged answer.
          numberOfResults: Option.getOrElse(request.topN, () => request.documents.length),
          modelConfiguration: {
            modelArn: modelArn(options.region, request.model),
            ...(additional === undefined ? {} : { additionalModelRequestFields: additional })
          }
        }
      }
    }
  },
  // A call's fields go as JSON documents (`inlineDocumentSource.type: "JSON"`).
  fields: () => ({ native: true }),
  // "Reranking is priced per query. A query is a single call to the reranker model that can contain up to 100
  // document chunks" (docs.aws.amazon.com/bedrock/latest/userguide/rerank-pricing.html); the response says nothing.
  billing: { unit: "queries", computed: Wire.perHundredDocuments },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.results.map((r) => ({ index: r.index, score: r.relevanceScore })),
    // `nextToken: null` decodes as absent (Wire.nullable).
    warnings: response.nextToken === undefined ? [] : ["Bedrock returned a nextToken: results past it were not fetched"]
  })),
  errors: {
    // The exception name is in `x-amzn-ErrorType` ("ThrottlingException:http://internal.amazon.com/..."), or the
    // body's `__type`; the message in `message` (or `Message`).
    errorBody: (json, headers) => {
      const header = Option.getOrUndefined(Headers.get(headers, "x-amzn-errortype"))
      const body = Wire.isObject(json) ? json : {}
      const type = header ?? (typeof body.__type === "string" ? body.__type : undefined)
      const code = type?.split(":")[0].split("#").pop()
      const message =
        typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : undefined
      return { message, code }
    },
    requestIdHeader: "x-amzn-requestid",
    special: (fields, context) => {
      const code = context.code
      if (code === undefined) return undefined
      if (
        code === "ThrottlingException" ||
        code === "ServiceQuotaExceededException" ||
        code === "TooManyRequestsException"
      ) {
        return new RerankError.RateLimitError({
          ...fields,
          retryAfter: ResponseError.retryAfter(context.reply.headers, context.now)
        })
      }
      if (invalidKey.has(code)) return new RerankError.AuthenticationError({ ...fields, reason: "invalid-key" })
      if (code === "AccessDeniedException")
        return new RerankError.AuthenticationError({ ...fields, reason: "forbidden" })
      if (code === "ValidationException" && fields.status === 400 && accessProblem.test(fields.serverMessage ?? "")) {
        return new RerankError.AuthenticationError({ ...fields, reason: "forbidden" })
      }
      if (code === "ModelNotReadyException" || code === "ServiceUnavailableException") {
        return new RerankError.ServiceError({ ...fields, status: 503 })
      }
      return undefined
    }
  }
}

/**
 * The AWS SDK's standard variables: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), when set.
 *
 * @since 0.2.0
 * @category config
 */
export const credentialsConfig: Config.Config<Option.Option<SigV4.Credentials>> = Config.option(
  Config.all({
    accessKeyId: Config.nonEmptyString("AWS_ACCESS_KEY_ID"),
    secretAccessKey: Config.redacted("AWS_SECRET_ACCESS_KEY"),
    sessionToken: Config.option(Config.redacted("AWS_SESSION_TOKEN"))
  })
).pipe(
  Config.map(
    Option.map(({ accessKeyId, secretAccessKey, sessionToken }) => ({
      accessKeyId,
      secretAccessKey,
      sessionToken: Option.getOrUndefined(sessionToken)
    }))
  )
)

/**
 * `AWS_REGION`, else `AWS_DEFAULT_REGION`.
 *
 * @since 0.2.0
 * @category config
 */
export const regionConfig: Config.Config<string> = Config.nonEmptyString("AWS_REGION").pipe(
  Config.orElse(() => Config.nonEmptyString("AWS_DEFAULT_REGION"))
)

/**
 * @since 0.2.0
 * @category models
 */
export type ConfigOptions = Config.Config.Wrap<
  Omit<Options, "region" | "credentials" | "apiKey" | "baseUrl"> & {
    readonly region?: string | undefined
    readonly apiKey?: Redacted.Redacted<string> | undefined
    readonly baseUrl?: string | undefined
  }
>

/** A region, credentials or a Bedrock API key, and the regional endpoint unless a base URL is given. */
const complete = (options: Options): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const { region } = yield* decodeRegion(options)
    if (options.credentials === undefined && options.apiKey === undefined) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          ["credentials"],
          "are required: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK for a Bedrock API key)"
        )
      )
    }
    return { ...options, baseUrl: options.baseUrl ?? `https://bedrock-agent-runtime.${region}.amazonaws.com` }
  })

/** `layerConfig`'s options with the region, credentials and Bedrock API key from the AWS SDK's variables. */
const fromConfig = (options: ConfigOptions): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const given = yield* LayerConfig.unwrap(options)
    const region =
      given.region ??
      (yield* regionConfig.pipe(
        // Neither variable set: one line saying what to set, as a missing key is said, not the two lookups.
        Effect.mapError((error) =>
          ConfigError.isMissingDataOnly(error)
            ? ConfigError.MissingData(
                ["AWS_REGION"],
                "Set AWS_REGION (or AWS_DEFAULT_REGION) to the region of your Bedrock models, e.g. us-west-2"
              )
            : error
        )
      ))
    const credentials = Option.getOrUndefined(yield* credentialsConfig)
    const apiKey =
      given.apiKey ?? Option.getOrUndefined(yield* Config.option(Config.redacted("AWS_BEARER_TOKEN_BEDROCK")))
    return { ...given, region, credentials, apiKey }
  })

/**
 * Where `layerConfig` reads a Bedrock API key; the credentials and the region (which gives the endpoint) come from
 * the AWS SDK's variables.
 *
 * @since 0.2.0
 * @category config
 */
export const variables: HttpProvider.Variables = {
  key: ["AWS_BEARER_TOKEN_BEDROCK"],
  keyRequired: false,
  keyName: "a Bedrock API key"
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)`: options as `Config`s; region, credentials and a
 * Bedrock API key from the AWS SDK's standard variables unless given. No credentials at all fails at construction,
 * naming the variables.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options, ConfigOptions> = HttpProvider.constructors(protocol, variables, {
  fromConfig,
  complete
})

/**
 * @since 0.2.0
 * @category constructors
 */
export const make: HttpProvider.Constructors<Options, ConfigOptions>["make"] = constructors.make

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: HttpProvider.Constructors<Options, ConfigOptions>["layer"] = constructors.layer

/**
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: HttpProvider.Constructors<Options, ConfigOptions>["layerConfig"] = constructors.layerConfig
