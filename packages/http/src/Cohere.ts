/**
 * Cohere's Rerank API (v2 by default, v1 on request, and any server that speaks it) as a `Reranker` over
 * `@effect/platform`'s `HttpClient`. This module is the provider: one attempt at one window, in Cohere's wire format
 * (`CohereSchema`), through the shared transport and status table. Retries, timeouts, batching and merging are the
 * core's, the same as for every provider.
 *
 * @since 0.2.0
 */
import { type Billing, Fields, OptionSchema, Reranker, RerankError } from "@effect-rerank/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import type { Mutable } from "effect/Types"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as YAML from "yaml"
import * as CohereSchema from "./CohereSchema.js"
import * as HttpProvider from "./HttpProvider.js"
import * as CohereDecode from "./internal/cohereDecode.js"
import * as LayerConfig from "./internal/config.js"
import * as Wire from "./internal/wire.js"

/**
 * @since 0.2.0
 * @category models
 */
export type ApiVersion = CohereSchema.ApiVersion

/** A document's fields as YAML, in the order asked. */
const yamlOf = (picked: ReadonlyArray<Fields.Picked>): string =>
  YAML.stringify(Fields.record(picked), { lineWidth: 0 }).trimEnd()

/**
 * Default prices per 1,000 search units (USD), as published, read 2026-12-03: Rerank 3.5 "$2.00 per 1k searches" as
 * of 2026-04 (docs.memberjunction.org, CohereReRanker), Rerank 4 Fast $2.00 and Rerank 4 Pro $2.50 per 1K searches
 * (developer.puter.com/tutorials/cohere-api-pricing, Jun 2026). Other models have no default: give `prices`.
 * cohere.com/pricing is the authority; pass `prices` to override.
 *
 * @since 0.2.0
 * @category constants
 */
export const prices: Billing.Prices = {
  "rerank-v3.5": { unit: "searchUnits", usd: 2, per: 1000 },
  "rerank-v4.0-fast": { unit: "searchUnits", usd: 2, per: 1000 },
  "rerank-v4.0-pro": { unit: "searchUnits", usd: 2.5, per: 1000 }
}

/**
 * Models Cohere serves for rerank; any other string is allowed too (fine-tunes, private deployments).
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  // Rerank 5 (docs.cohere.com/changelog/rerank-v5): calibrated relevance scores, 32K-token context as Rerank 4.
  "rerank-v5.0-pro",
  "rerank-v5.0-fast",
  "rerank-v4.0-pro",
  "rerank-v4.0-fast",
  "rerank-v3.5",
  "rerank-english-v3.0",
  "rerank-multilingual-v3.0"
] as const

/**
 * Models Cohere serves for rerank; any other string is allowed too (fine-tunes, private deployments).
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
  baseUrl: "https://api.cohere.com",
  apiVersion: "v2",
  model: "rerank-v3.5",
  maxDocumentsPerRequest: CohereSchema.maxDocumentsPerRequest,
  /** A client-side guard; Cohere publishes no byte limit, so this only stops runaway bodies before they are sent. */
  maxRequestBytes: HttpProvider.defaults.maxRequestBytes,
  /** Room for 10,000 results with their documents; a 1,000-result answer is about 50 KB. */
  maxResponseBytes: HttpProvider.defaults.maxResponseBytes
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
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
}

const decodeErrorBody = Schema.decodeUnknownOption(CohereSchema.ErrorBody)

const chunkLimit = /max(imum)? chunks/i

/**
 * Cohere's protocol, both ways: v2 (default) or v1 request bodies, the 200 body (`CohereDecode` on the hot path), the
 * `{id, message}` error body with `x-debug-trace-id`, and the 400 that is really a payload limit.
 *
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "cohere",
  defaults: {
    baseUrl: defaults.baseUrl,
    model: defaults.model,
    maxDocumentsPerRequest: defaults.maxDocumentsPerRequest
  },
  path: (options) => `/${options.apiVersion ?? defaults.apiVersion}/rerank`,
  keyAdvice: "Cohere reads the key from COHERE_API_KEY (or CO_API_KEY).",
  endpointAdvice: "A Cohere-compatible endpoint answers POST /v2/rerank or /v1/rerank (COHERE_BASE_URL).",
  headers: (options) => (options.clientName === undefined ? undefined : { "X-Client-Name": options.clientName }),
  options: Schema.Struct({
    apiVersion: Schema.optional(OptionSchema.choice(["v2", "v1"])),
    maxTokensPerDoc: Schema.optional(OptionSchema.PositiveInt),
    maxChunksPerDoc: Schema.optional(OptionSchema.PositiveInt),
    priority: Schema.optional(OptionSchema.integerFrom(CohereSchema.priorityRange.min, CohereSchema.priorityRange.max)),
    clientName: Schema.optional(OptionSchema.NonEmptyString),
    returnDocuments: Schema.optional(OptionSchema.Flag)
  }),
  scoring: (options) => [options.apiVersion ?? defaults.apiVersion, options.maxTokensPerDoc, options.maxChunksPerDoc],
  chunksPerDocument: (options) =>
    (options.apiVersion ?? defaults.apiVersion) === "v1"
      ? (options.maxChunksPerDoc ?? CohereSchema.defaultMaxChunksPerDoc)
      : 1,
  // The wire body is built as the schema's encoded type (checked by the compiler, and by a test that decodes what
  // is sent) rather than run through `Schema.encode`: validating 1,000 strings we made ourselves, on every call,
  // would buy nothing.
  encodeRequest: (request, options) => {
    const topN = Option.getOrUndefined(request.topN)
    if ((options.apiVersion ?? defaults.apiVersion) === "v2") {
      const body: Mutable<typeof CohereSchema.V2Request.Encoded> = {
        model: request.model,
        query: request.query,
        documents: request.documents
      }
      if (topN !== undefined) body.top_n = topN
      if (options.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = options.maxTokensPerDoc
      if (options.priority !== undefined) body.priority = options.priority
      return body
    }
    const body: Mutable<typeof CohereSchema.V1Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.records ?? request.documents
    }
    if (request.records !== undefined) body.rank_fields = Wire.rankFieldsOf(request.records)
    if (topN !== undefined) body.top_n = topN
    if (options.maxChunksPerDoc !== undefined) body.max_chunks_per_doc = options.maxChunksPerDoc
    if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
    return body
  },
  // v2 takes strings only; Cohere recommends YAML for semi-structured documents (docs.cohere.com, "Rerank: best
  // practices", structured data). v1 takes objects with `rank_fields`.
  fields: (options) => ((options.apiVersion ?? defaults.apiVersion) === "v2" ? { encode: yamlOf } : { native: true }),
  // "Relevance scores are normalized to be in the range [0, 1]" (docs.cohere.com/reference/rerank, v1 and v2).
  scoreKind: () => "probability",
  // "A single search unit is defined as one query with up to 100 documents to be ranked" (cohere.com/pricing);
  // documents past 500 tokens with the query are split and each part counted, so the rule is a floor.
  billing: { unit: "searchUnits", computed: Wire.perHundredDocuments, prices },
  decodeResponse: CohereDecode.decode,
  errors: {
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
): Effect.Effect<Reranker.Provider<HttpProvider.Prepared>, ConfigError.ConfigError, HttpClient.HttpClient> =>
  HttpProvider.provider(protocol, options)

/**
 * `layerConfig`'s options: every option of `Options`, each a `Config` (`Config.succeed` for a constant). The key and
 * the base URL may be left out: they are then read from the environment.
 *
 * @since 0.2.0
 * @category models
 */
export type ConfigOptions = LayerConfig.ConfigOptions<Options>

/**
 * Where `layerConfig` reads the key and the base URL.
 *
 * @since 0.2.0
 * @category config
 */
export const variables: LayerConfig.Variables = {
  key: ["COHERE_API_KEY", "CO_API_KEY"],
  keyRequired: true,
  keyName: "a Cohere API key",
  baseUrl: "COHERE_BASE_URL"
}

/**
 * The API key from `COHERE_API_KEY`, else `CO_API_KEY`.
 *
 * @since 0.2.0
 * @category config
 */
export const apiKeyConfig: Config.Config<Redacted.Redacted<string>> = LayerConfig.apiKeyConfig(variables)

/**
 * The base URL from `COHERE_BASE_URL`, when set.
 *
 * @since 0.2.0
 * @category config
 */
export const baseUrlConfig: Config.Config<Option.Option<string>> = LayerConfig.baseUrlConfig(variables)

const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, variables)

/**
 * Builds the Cohere `Reranker`: the provider, with the core's retries, timeouts and batching. Fails with a
 * `ConfigError` naming the option when an option makes no sense.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: HttpProvider.Constructors<Options>["make"] = constructors.make

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
 * @since 0.2.0
 * @category layers
 */
export const layer: HttpProvider.Constructors<Options>["layer"] = constructors.layer

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
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: HttpProvider.Constructors<Options>["layerConfig"] = constructors.layerConfig
