/**
 * Pieces every provider's wire format uses: optional snake_case fields, loose decoding of 200 bodies into a window's
 * results, and the error bodies several providers share.
 */
import type { Billing, Reranker } from "@effect-rerank/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * An optional field under its wire name. `null` reads as absent: vendors' SDKs send it for options left unset (the
 * Cohere SDK does), and their published schemas declare such fields nullable; we never send it.
 */
export const optionalFrom = <S extends Schema.Schema.All, const Key extends PropertyKey>(schema: S, key: Key) =>
  Schema.optionalWith(schema, { nullable: true }).pipe(Schema.fromKey(key))

/** Loose where providers are loose: optional fields may also come as null. */
export const nullable = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

/** The messages complete "<field> must be ...". */
export const PositiveInt = Schema.Int.pipe(
  Schema.greaterThanOrEqualTo(1),
  Schema.annotations({ message: () => ({ message: "a positive integer", override: true }) })
)

/** A document as most protocols take it: a string, or an object whose `text` (or rank fields) is ranked. */
export const Document = Schema.Union(Schema.String, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/** Where a body went wrong, by path only: the offending value may be a document text, so it is never quoted. */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "unexpected shape"
  const path = issue.path.length === 0 ? "the top level" : issue.path.join(".")
  return issue._tag === "Missing" ? `${path} is missing` : `${path} has the wrong type`
}

/** A 200 body through `schema`, then to the window's results. */
export const responseDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  toWindow: (response: A) => Reranker.WindowResponse
): ((json: unknown) => Either.Either<Reranker.WindowResponse, string>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  return (json) =>
    Either.match(decode(json), {
      onLeft: (error) => Either.left(describeIssue(error)),
      onRight: (response) => Either.right(toWindow(response))
    })
}

/** A JSON object: not null, not an array. */
export const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)
const stringOr = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/**
 * FastAPI's error body (Jina, Voyage, Mixedbread): `{"detail": "..."}`, or on 422 `{"detail": [{"loc", "msg"}]}`.
 */
export const fastApiError = (json: unknown): { readonly message?: string | undefined } => {
  if (!isObject(json)) return {}
  const { detail } = json
  if (typeof detail === "string") return { message: detail }
  if (Array.isArray(detail)) {
    const messages = detail.flatMap((issue) => (isObject(issue) && typeof issue.msg === "string" ? [issue.msg] : []))
    // None at all joins to "", which the error reader takes as no message.
    return { message: messages.join("; ") }
  }
  // Some of these APIs answer in the OpenAI style too.
  return openAiError(json)
}

/**
 * The OpenAI-style error body (Together, vLLM, Mixedbread): `{"error": {"message", "type", "code"}}`; older vLLM
 * sends it flat, `{"object": "error", "message", "type", "code"}`; some servers send `{"error": "..."}` or
 * `{"message": "..."}`.
 */
export const openAiError = (
  json: unknown
): { readonly message?: string | undefined; readonly id?: string | undefined } => {
  if (!isObject(json)) return {}
  const { error } = json
  const body = isObject(error) ? error : json
  return {
    message: stringOr(body.message) ?? stringOr(error) ?? stringOr(json.detail),
    id: stringOr(json.id) ?? stringOr(json.request_id)
  }
}

/** A result as the Cohere-like APIs write it (Jina, Voyage, Together, vLLM): `relevance_score`, `document` if asked. */
export const RelevanceResult = Schema.Struct({
  index: Schema.Number,
  relevanceScore: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("relevance_score")),
  document: nullable(Schema.Unknown)
})

/** `usage: {total_tokens}`. */
export const TotalTokens = Schema.Struct({
  totalTokens: nullable(Schema.Number).pipe(Schema.fromKey("total_tokens"))
})

/** Units a response reports as its billing (spread into a window's answer); nothing when it reports none. */
export const reported = (unit: Billing.Unit, quantity: number | undefined): { readonly billed?: Billing.Billed } =>
  quantity === undefined ? {} : { billed: { unit, quantity, source: "reported" } }

/** Tokens a response reports (`usage.total_tokens`) as its billing; nothing when it reports none. */
export const reportedTokens = (
  usage: { readonly totalTokens?: number | undefined } | undefined
): { readonly billed?: Billing.Billed } => reported("tokens", usage?.totalTokens)

/**
 * The rank fields of a window's records: every field name any of them has, in order of first appearance (a document
 * lacking a field is sent without it, as the APIs allow).
 */
export const rankFieldsOf = (records: ReadonlyArray<Readonly<Record<string, unknown>>>): Array<string> => {
  const names = new Set<string>()
  for (const record of records) for (const name of Object.keys(record)) names.add(name)
  return Array.from(names)
}

/** Per 100 documents, or part of 100: Cohere's search unit, Pinecone's rerank unit, Bedrock's query. */
export const perHundredDocuments = (documents: number): number => Math.ceil(documents / 100)

/** Relevance-scored results to a window's. */
export const relevanceWindow = (
  results: ReadonlyArray<typeof RelevanceResult.Type>
): { readonly results: ReadonlyArray<{ readonly index: number; readonly score: number }> } => ({
  results: results.map((r) => ({ index: r.index, score: r.relevanceScore }))
})
