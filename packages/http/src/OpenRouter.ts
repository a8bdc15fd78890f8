/**
 * OpenRouter's rerank router (`POST https://openrouter.ai/api/v1/rerank`) as a `Reranker`: one key, rerank models of
 * several vendors by routing id (`cohere/rerank-v3.5`, ...).
 *
 * Sources: OpenRouter's API reference (openrouter.ai/docs/api/api-reference/rerank/create-rerank: `model`, `query`,
 * `documents`, `top_n`, `provider` (routing preferences, as for chat); response `id`, `model`, `provider`,
 * `results[].index`, `results[].relevance_score`, `results[].document.text`, `usage.search_units`,
 * `usage.total_tokens`; errors 400, 401, 402 (credits), 404, 429, 5xx as `{"error": {"code", "message"}}`), and its
 * SDK's `CreateRerankUsage`: `cost`, the request's cost in credits (one credit is one US dollar). The scores are the
 * routed model's own: Cohere's are probabilities, the others' are not documented here.
 *
 * @since 0.2.0
 */
import { OptionSchema } from "@effect-rerank/core"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Rerank models OpenRouter routes to, by routing id; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "cohere/rerank-v3.5",
  "cohere/rerank-v4.0-pro",
  "cohere/rerank-v4.0-fast",
  "voyageai/rerank-2.5",
  "voyageai/rerank-2.5-lite"
] as const

/**
 * Rerank models OpenRouter routes to, by routing id; any other string is allowed too.
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
  baseUrl: "https://openrouter.ai",
  model: "cohere/rerank-v3.5",
  // OpenRouter publishes no document limit of its own; 1,000 as Cohere recommends.
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** `provider`: routing preferences, as OpenRouter documents them (`{ order: [...], allow_fallbacks: false }`). */
  readonly routing?: Readonly<Record<string, unknown>> | undefined
  /** `HTTP-Referer`: your app's URL, which OpenRouter attributes usage to. */
  readonly appUrl?: string | undefined
  /** `X-Title`: your app's name in OpenRouter's dashboard. */
  readonly appTitle?: string | undefined
}

/**
 * `POST /api/v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  documents: Schema.Array(Wire.Document),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  provider: Wire.nullable(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/**
 * `usage`: what the call was billed, in the routed vendor's unit, and its cost in credits (USD).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  searchUnits: Wire.optionalFrom(Schema.Number, "search_units"),
  totalTokens: Wire.optionalFrom(Schema.Number, "total_tokens"),
  cost: Wire.nullable(Schema.Number.pipe(Schema.nonNegative(), Schema.finite()))
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  id: Wire.nullable(Schema.String),
  model: Wire.nullable(Schema.String),
  provider: Wire.nullable(Schema.String),
  results: Schema.Array(Wire.RelevanceResult),
  usage: Wire.nullable(Usage)
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "openrouter",
  defaults,
  options: Schema.Struct({
    appUrl: Schema.optional(OptionSchema.NonEmptyString),
    appTitle: Schema.optional(OptionSchema.NonEmptyString)
  }),
  path: () => "/api/v1/rerank",
  keyAdvice: "OpenRouter reads the key from OPENROUTER_API_KEY.",
  endpointAdvice: "An OpenRouter endpoint answers POST /api/v1/rerank (OPENROUTER_BASE_URL).",
  headers: (options) => {
    const headers: Record<string, string> = {}
    if (options.appUrl !== undefined) headers["http-referer"] = options.appUrl
    if (options.appTitle !== undefined) headers["x-title"] = options.appTitle
    return headers
  },
  // Routing preferences pick the vendor behind the model, whose scores may differ.
  scoring: (options) => options.routing ?? null,
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.documents
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.routing !== undefined) body.provider = options.routing
    return body
  },
  scoreKind: (_, model) => (model.startsWith("cohere/") ? "probability" : "unbounded"),
  // The routed vendor's unit: Cohere's search units, else tokens.
  billing: { unit: "searchUnits" },
  decodeResponse: Wire.responseDecoder(Response, (response) => {
    const usage = response.usage
    return {
      ...Wire.relevanceWindow(response.results),
      ...(usage?.searchUnits !== undefined
        ? Wire.reported("searchUnits", usage.searchUnits)
        : Wire.reported("tokens", usage?.totalTokens)),
      ...(usage?.cost === undefined ? {} : { cost: usage.cost })
    }
  }),
  errors: { errorBody: Wire.openAiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `OPENROUTER_API_KEY` and the base
 * URL from `OPENROUTER_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["OPENROUTER_API_KEY"],
  keyRequired: true,
  keyName: "an OpenRouter API key",
  baseUrl: "OPENROUTER_BASE_URL"
})

/**
 * @since 0.2.0
 * @category constructors
 */
export const make: HttpProvider.Constructors<Options>["make"] = constructors.make

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: HttpProvider.Constructors<Options>["layer"] = constructors.layer

/**
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: HttpProvider.Constructors<Options>["layerConfig"] = constructors.layerConfig

/**
 * Where `layerConfig` reads the key and the base URL.
 *
 * @since 0.2.0
 * @category config
 */
export const variables: HttpProvider.Variables = constructors.variables
