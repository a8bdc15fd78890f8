/**
 * Pieces every provider's wire format uses: optional snake_case fields, loose decoding of 200 bodies into a window's
 * results, and the server's reading of request bodies (messages that name the field, never quote a value).
 */
import type { Reranker } from "@effect-rerank/core"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** An optional field under its wire name. */
export const optionalFrom = <S extends Schema.Schema.All, const Key extends PropertyKey>(schema: S, key: Key) =>
  Schema.optional(schema).pipe(Schema.fromKey(key))

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

/**
 * A request body through `schema`, or the server's message naming the first problem (a body that is not an object
 * fails at the top level: "request body must be a JSON object").
 */
export const requestDecoder = <A, I>(schema: Schema.Schema<A, I>): ((json: unknown) => Either.Either<A, string>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  return (json) => Either.mapLeft(decode(json), (error) => `invalid request: ${describe(error)}`)
}

export const invalid = (message: string): Either.Either<never, string> => Either.left(`invalid request: ${message}`)

/** More rank fields than any real document has: a long list only costs the server time. */
export const maxRankFields = 100

/**
 * Names the field and the type it must have; never quotes the value (it may be huge, or a document). A field that is a
 * union (a document: a string or an object) gets one issue per member from effect/Schema, all at its path: every
 * type it may have is named (`documents[0] must be a string or an object`).
 */
export const describe = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const [first] = issues
  if (first === undefined || first.path.length === 0) return "request body must be a JSON object"
  const field = fieldName(first.path)
  if (first._tag === "Missing") return `${field} is required`
  const here = issues.filter((issue) => fieldName(issue.path) === field)
  // An optional field's union ends in undefined: JSON cannot send that, so it is not named.
  const types = here.filter((issue) => !issue.message.startsWith("Expected undefined")).map((i) => typeName(i.message))
  return `${field} must be ${[...new Set(types)].join(" or ")}`
}

const fieldName = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join("")

const typeName = (message: string): string => {
  const expected = /^Expected ([^,]+)/.exec(message)
  if (expected === null) return message
  const type = expected[1]
  // effect/Schema's names: string, number, boolean; ReadonlyArray<...>; { readonly ... }; a literal such as "TEXT".
  if (/^[a-z]+$/.test(type)) return `a ${type}`
  return type.startsWith("ReadonlyArray") ? "an array" : type.startsWith("{") ? "an object" : type
}

/**
 * A document's text: the string itself, its `text`, or its rank fields (own properties only; a document parsed from
 * JSON has no undefined values).
 */
const textOf = (
  document: typeof Document.Type,
  index: number,
  rankFields: ReadonlyArray<string>,
  field: string
): Either.Either<string, string> => {
  if (typeof document === "string") return Either.right(document)
  if (rankFields.length > 0) {
    const parts: Array<string> = []
    // Own properties only: `constructor` or `__proto__` never become document text.
    for (const name of rankFields) {
      if (Object.hasOwn(document, name)) parts.push(`${name}: ${String(document[name])}`)
    }
    return Either.right(parts.join("\n"))
  }
  return Object.hasOwn(document, "text") && typeof document.text === "string"
    ? Either.right(document.text)
    : invalid(`${field}[${index}] must have a "text" field, or pass rank_fields`)
}

/** The checks every protocol's server applies after decoding, and the texts to rank. */
export const call = (request: {
  readonly model?: string | undefined
  readonly query: string
  readonly documents: ReadonlyArray<typeof Document.Type>
  readonly topN?: number | undefined
  readonly rankFields?: ReadonlyArray<string> | undefined
  readonly returnDocuments?: boolean | undefined
  /** The documents field's wire name, for messages. */
  readonly field?: string | undefined
}): Either.Either<
  {
    readonly model: string | undefined
    readonly query: string
    readonly texts: ReadonlyArray<string>
    readonly topN: number | undefined
    readonly returnDocuments: boolean
  },
  string
> => {
  const field = request.field ?? "documents"
  if (request.query.trim() === "") return invalid("query must not be empty")
  if (request.documents.length === 0) return invalid(`list of ${field} must not be empty`)
  const rankFields = Array.from(new Set(request.rankFields ?? []))
  if (rankFields.length > maxRankFields) return invalid(`rank_fields must have at most ${maxRankFields} fields`)
  const texts: Array<string> = []
  for (let i = 0; i < request.documents.length; i++) {
    const text = textOf(request.documents[i], i, rankFields, field)
    if (Either.isLeft(text)) return Either.left(text.left)
    texts.push(text.right)
  }
  return Either.right({
    model: request.model,
    query: request.query,
    texts,
    topN: request.topN,
    returnDocuments: request.returnDocuments === true
  })
}

/** A server's reading of one protocol's request body: the schema, then the shared checks. */
export const callDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  toCall: (request: A) => Parameters<typeof call>[0]
): ((
  json: unknown
) => Either.Either<ReturnType<typeof call> extends Either.Either<infer R, string> ? R : never, string>) => {
  const decode = requestDecoder(schema)
  return (json) => Either.flatMap(decode(json), (request) => call(toCall(request)))
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

/** Relevance-scored results to a window's. */
export const relevanceWindow = (
  results: ReadonlyArray<typeof RelevanceResult.Type>
): { readonly results: ReadonlyArray<{ readonly index: number; readonly score: number }> } => ({
  results: results.map((r) => ({ index: r.index, score: r.relevanceScore }))
})
