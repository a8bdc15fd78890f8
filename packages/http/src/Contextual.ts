/**
 * Contextual AI's instruction-following reranker (`POST https://api.contextual.ai/v1/rerank`) as a `Reranker`.
 *
 * Sources: Contextual AI's API reference (docs.contextual.ai/api-reference/rerank/rerank: `query`, `documents` as
 * strings, `model` (required), `top_n`, `instruction` ("instructions that the reranker references when ranking
 * documents, after considering relevance"), `metadata` (strings, "the same length as the documents list"; an empty
 * string for a document without); response `results[].index`, `results[].relevance_score`, sorted by score; limits:
 * at most 400,000 tokens a request, and 8,000 for the query, instruction and any one document with its metadata);
 * its how-to guide for the model names. Errors are FastAPI's `{"detail": ...}`. No score range is documented.
 *
 * @since 0.2.0
 */
import { Fields, OptionSchema, RerankError } from "@effect-rerank/core"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Contextual AI's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "ctxl-rerank-v2-instruct-multilingual",
  "ctxl-rerank-v2-instruct-multilingual-mini",
  "ctxl-rerank-v1-instruct"
] as const

/**
 * Contextual AI's rerank models; any other string is allowed too.
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
  baseUrl: "https://api.contextual.ai",
  model: "ctxl-rerank-v2-instruct-multilingual",
  // Contextual limits tokens (400,000 a request), not documents; 1,000 as for the Cohere-like APIs.
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /**
   * Fields of a call's `fields` sent as each document's `metadata` (as `name: value` lines) rather than in its text,
   * for instructions about them ("prefer recent documents" with a `date` field). Without `fields` on a call there is
   * no metadata to send.
   */
  readonly metadata?: ReadonlyArray<string> | undefined
}

/**
 * `POST /v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  query: Schema.String,
  documents: Schema.Array(Schema.String),
  model: Wire.nullable(Schema.String),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  instruction: Wire.nullable(Schema.String),
  metadata: Wire.nullable(Schema.Array(Schema.String))
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({ results: Schema.Array(Wire.RelevanceResult) })

/** A record's fields as `name: value` lines: those named (`keep`) or all but those (`!keep`). */
const linesOf = (record: Readonly<Record<string, unknown>>, names: ReadonlySet<string>, keep: boolean): string =>
  Object.entries(record)
    .filter(([name]) => names.has(name) === keep)
    .map(([name, value]) => `${name}: ${Fields.valueText(value)}`)
    .join("\n")

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "contextual",
  defaults,
  options: Schema.Struct({ metadata: Schema.optional(Schema.Array(OptionSchema.NonEmptyString)) }),
  path: () => "/v1/rerank",
  keyAdvice: "Contextual AI reads the key from CONTEXTUAL_API_KEY.",
  endpointAdvice: "A Contextual AI endpoint answers POST /v1/rerank (CONTEXTUAL_BASE_URL).",
  // With metadata fields named, each document's fields come as a record, to be split between text and metadata.
  fields: (options) => (options.metadata === undefined ? undefined : { native: true }),
  // Every model follows an instruction, in its own field.
  instructionFor: () => ({ kind: "field" }),
  refuse: (request, options) => {
    if (options.metadata === undefined || request.records === undefined) return undefined
    const names = new Set(options.metadata)
    // A document of nothing but metadata would be ranked on an empty text.
    const empty = request.records.findIndex((record) => linesOf(record, names, false) === "")
    return empty < 0
      ? undefined
      : new RerankError.InvalidRequestError({
          field: "fields",
          reason: `document ${empty} has no field left to rank once the metadata fields (${options.metadata.join(", ")}) are taken out: pick at least one other field`
        })
  },
  encodeRequest: (request, options) => {
    const names = new Set(options.metadata ?? [])
    const { records } = request
    const body: Mutable<typeof Request.Encoded> = {
      query: request.query,
      documents: records === undefined ? request.documents : records.map((record) => linesOf(record, names, false)),
      model: request.model
    }
    if (records !== undefined) body.metadata = records.map((record) => linesOf(record, names, true))
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (request.instruction !== undefined) body.instruction = request.instruction
    return body
  },
  // Contextual bills tokens but reports none in the response.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => Wire.relevanceWindow(response.results)),
  errors: { errorBody: Wire.fastApiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `CONTEXTUAL_API_KEY` and the base
 * URL from `CONTEXTUAL_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["CONTEXTUAL_API_KEY"],
  keyRequired: true,
  keyName: "a Contextual AI API key",
  baseUrl: "CONTEXTUAL_BASE_URL"
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
