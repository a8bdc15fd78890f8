/**
 * Cohere's Rerank wire format (v2 and v1) as `effect/Schema`s, both ways: snake_case on the wire, camelCase in the
 * model. The one definition of the protocol in this repository: the `Cohere` client encodes requests and decodes
 * responses with it, and `@effect-rerank/server` decodes requests and encodes responses with it.
 *
 * Sources: Cohere's API reference for `POST /v2/rerank` and `POST /v1/rerank` (request fields, response `id`,
 * `results[].index`, `results[].relevance_score`, `results[].document`, `meta.api_version`, `meta.billed_units`,
 * `meta.warnings`), and the recorded bodies in `conformance/cohere`.
 *
 * @since 0.2.0
 */
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Wire from "./internal/wire.js"

/**
 * @since 0.2.0
 * @category schemas
 */
export const ApiVersion = Schema.Literal("v2", "v1")

/**
 * @since 0.2.0
 * @category models
 */
export type ApiVersion = typeof ApiVersion.Type

/**
 * v1 splits long documents into this many chunks at most unless told otherwise (Cohere's default).
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxChunksPerDoc = 10

/**
 * Cohere rejects a request whose documents x max_chunks_per_doc reaches this (v2 counts one chunk a document).
 *
 * @since 0.2.0
 * @category constants
 */
export const maxTotalChunks = 10_000

/**
 * Cohere's 400 message when documents x chunks reach the limit (clients read the limit back out of it).
 *
 * @since 0.2.0
 * @category constants
 */
export const chunkLimitMessage = (limit: number): string =>
  `number of total max chunks (number of documents * max_chunks_per_doc) must be less than ${limit}`

/**
 * The header in which Cohere sends a request id when the error body has none.
 *
 * @since 0.2.0
 * @category constants
 */
export const requestIdHeader = "x-debug-trace-id"

/**
 * Cohere's recommended most documents a request.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxDocumentsPerRequest = 1000

/**
 * The lowest and highest v2 `priority`.
 *
 * @since 0.2.0
 * @category constants
 */
export const priorityRange = { min: 0, max: 999 } as const

// The pieces every provider's schemas share (messages complete "<field> must be ...", never quoting a value).
const { PositiveInt, nullable, optionalFrom } = Wire

/**
 * `POST /v2/rerank`: documents are strings.
 *
 * @since 0.2.0
 * @category schemas
 */
export const V2Request = Schema.Struct({
  model: Schema.String,
  query: Schema.String,
  documents: Schema.Array(Schema.String),
  topN: optionalFrom(PositiveInt, "top_n"),
  maxTokensPerDoc: optionalFrom(PositiveInt, "max_tokens_per_doc"),
  priority: nullable(
    Schema.Int.pipe(
      Schema.between(priorityRange.min, priorityRange.max),
      Schema.annotations({ message: () => ({ message: "an integer from 0 to 999", override: true }) })
    )
  )
})

/**
 * @since 0.2.0
 * @category models
 */
export type V2Request = typeof V2Request.Type

/**
 * A v1 document: a string, or an object whose `text` (or `rank_fields`) is ranked.
 *
 * @since 0.2.0
 * @category schemas
 */
export const V1Document = Wire.Document

/**
 * `POST /v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const V1Request = Schema.Struct({
  model: nullable(Schema.String),
  query: Schema.String,
  documents: Schema.Array(V1Document),
  topN: optionalFrom(PositiveInt, "top_n"),
  rankFields: optionalFrom(Schema.Array(Schema.String), "rank_fields"),
  returnDocuments: optionalFrom(Schema.Boolean, "return_documents"),
  maxChunksPerDoc: optionalFrom(PositiveInt, "max_chunks_per_doc")
})

/**
 * @since 0.2.0
 * @category models
 */
export type V1Request = typeof V1Request.Type

// Loose where Cohere is loose: optional fields may also come as null (`nullable`); unknown keys are ignored.

/**
 * One ranked document. `document` comes back only when asked for (v1 `return_documents`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const RerankResult = Schema.Struct({
  index: Schema.Number,
  relevanceScore: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("relevance_score")),
  document: nullable(Schema.Unknown)
})

/**
 * @since 0.2.0
 * @category schemas
 */
export const ApiVersionMeta = Schema.Struct({
  version: nullable(Schema.String),
  isDeprecated: nullable(Schema.Boolean).pipe(Schema.fromKey("is_deprecated")),
  isExperimental: nullable(Schema.Boolean).pipe(Schema.fromKey("is_experimental"))
})

/**
 * @since 0.2.0
 * @category schemas
 */
export const Meta = Schema.Struct({
  apiVersion: nullable(ApiVersionMeta).pipe(Schema.fromKey("api_version")),
  billedUnits: nullable(
    Schema.Struct({ searchUnits: nullable(Schema.Number).pipe(Schema.fromKey("search_units")) })
  ).pipe(Schema.fromKey("billed_units")),
  warnings: nullable(Schema.Array(Schema.String))
})

/**
 * The 200 body of both versions.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RerankResponse = Schema.Struct({
  id: nullable(Schema.String),
  results: Schema.Array(RerankResult),
  meta: nullable(Meta)
})

/**
 * @since 0.2.0
 * @category models
 */
export type RerankResponse = typeof RerankResponse.Type

/**
 * Cohere's error body: `{"id": "...", "message": "..."}`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ErrorBody = Schema.Struct({
  id: nullable(Schema.String),
  message: nullable(Schema.String)
})

/**
 * @since 0.2.0
 * @category models
 */
export type ErrorBody = typeof ErrorBody.Type

/**
 * Where a body went wrong, by path only: the offending value may be a document text, so it is never quoted.
 *
 * @since 0.2.0
 * @category utils
 */
export const describeIssue: (error: ParseResult.ParseError) => string = Wire.describeIssue

/**
 * Warnings worth passing on: the server's own, and a note when the API version is deprecated.
 *
 * @since 0.2.0
 * @category utils
 */
export const warningsOf = (response: RerankResponse): Array<string> => {
  const warnings = [...(response.meta?.warnings ?? [])]
  if (response.meta?.apiVersion?.isDeprecated === true) {
    warnings.push(`API version ${response.meta.apiVersion.version ?? "in use"} is deprecated`)
  }
  return warnings
}
