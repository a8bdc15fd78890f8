/**
 * Cohere's rerank wire format (v2 and v1): request bodies in snake_case with only the fields the caller set, and a
 * loose response decoder (optional `id` and `meta`, any `api_version.version`, unknown keys ignored).
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

export type ApiVersion = "v2" | "v1"

export interface RequestFields {
  readonly model: string
  readonly query: string
  readonly documents: ReadonlyArray<string>
  readonly topN: Option.Option<number>
  /** v2 only. */
  readonly maxTokensPerDoc?: number | undefined
  /** v2 only, 0-999. */
  readonly priority?: number | undefined
  /** v1 only. */
  readonly maxChunksPerDoc?: number | undefined
  /** v1 only. */
  readonly returnDocuments?: boolean | undefined
}

/** v1 splits long documents into this many chunks at most unless told otherwise (Cohere's default). */
export const defaultMaxChunksPerDoc = 10

/** Cohere rejects a request whose documents x max_chunks_per_doc reaches this. */
export const maxTotalChunks = 10_000

export const encodeRequest = (version: ApiVersion, fields: RequestFields): Record<string, unknown> => {
  const body: Record<string, unknown> = { model: fields.model, query: fields.query, documents: fields.documents }
  if (Option.isSome(fields.topN)) body.top_n = fields.topN.value
  if (version === "v2") {
    if (fields.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = fields.maxTokensPerDoc
    if (fields.priority !== undefined) body.priority = fields.priority
  } else {
    if (fields.maxChunksPerDoc !== undefined) body.max_chunks_per_doc = fields.maxChunksPerDoc
    if (fields.returnDocuments !== undefined) body.return_documents = fields.returnDocuments
  }
  return body
}

const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })

export const RerankResponse = Schema.Struct({
  id: nullable(Schema.String),
  results: Schema.Array(
    Schema.Struct({
      index: Schema.Number,
      relevance_score: Schema.Number,
      document: nullable(Schema.Unknown)
    })
  ),
  meta: nullable(
    Schema.Struct({
      api_version: nullable(
        Schema.Struct({
          version: nullable(Schema.String),
          is_deprecated: nullable(Schema.Boolean),
          is_experimental: nullable(Schema.Boolean)
        })
      ),
      billed_units: nullable(Schema.Struct({ search_units: nullable(Schema.Number) })),
      warnings: nullable(Schema.Array(Schema.String))
    })
  )
})

export type RerankResponse = typeof RerankResponse.Type

export const decodeResponse = Schema.decodeUnknownEither(RerankResponse, { errors: "first" })

/** Where the body went wrong, by path only: the offending value may be a document text, so it is never quoted. */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "unexpected shape"
  const path = issue.path.length === 0 ? "the top level" : issue.path.join(".")
  return issue._tag === "Missing" ? `${path} is missing` : `${path} has the wrong type`
}

export const ErrorBody = Schema.Struct({
  id: nullable(Schema.String),
  message: nullable(Schema.String)
})

export const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

/** Warnings worth passing on: the server's own, and a note when the API version is deprecated. */
export const warningsOf = (response: RerankResponse): Array<string> => {
  const warnings = [...(response.meta?.warnings ?? [])]
  if (response.meta?.api_version?.is_deprecated === true) {
    warnings.push(`API version ${response.meta.api_version.version ?? "in use"} is deprecated`)
  }
  return warnings
}
