/**
 * The server's side of Cohere's protocol: a rerank request body (v1 or v2) read with the client's own
 * `CohereSchema`, then Cohere's rules the schema cannot express, answering malformed bodies with Cohere's messages.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as CohereSchema from "../CohereSchema.js"
import type { Call } from "../HttpProvider.js"

export type ApiVersion = CohereSchema.ApiVersion


/** More rank fields than any real document has: a long list only costs the server time. */
export const maxRankFields = 100

const invalid = (message: string) => Either.left(`invalid request: ${message}`)

const decodeV2 = Schema.decodeUnknownEither(CohereSchema.V2Request, { errors: "first" })
const decodeV1 = Schema.decodeUnknownEither(CohereSchema.V1Request, { errors: "first" })

const articles: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "a boolean",
  "string | { readonly [x: string]: unknown }": "a string or an object"
}

/** Names the field and the type it must have; never quotes the value (it may be huge, or a document). */
const describe = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
  if (issue === undefined) return "request body must be a JSON object"
  const path = issue.path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${String(key)}`))
  const field = path.join("")
  if (field === "") return "request body must be a JSON object"
  if (issue._tag === "Missing") return `${field} is required`
  const expected = /^Expected ([^,]+)/.exec(issue.message)
  if (expected === null) return `${field} must be ${issue.message}`
  const type = expected[1]
  return `${field} must be ${articles[type] ?? (type.startsWith("ReadonlyArray") ? "an array" : type)}`
}

const textOf = (
  document: CohereSchema.V1Request["documents"][number],
  index: number,
  rankFields: ReadonlyArray<string>
): Either.Either<string, string> => {
  if (typeof document === "string") return Either.right(document)
  if (rankFields.length > 0) {
    const parts: Array<string> = []
    // Own properties only: `constructor` or `__proto__` never become document text.
    for (const field of rankFields) {
      if (Object.hasOwn(document, field) && document[field] !== undefined) {
        parts.push(`${field}: ${String(document[field])}`)
      }
    }
    return Either.right(parts.join("\n"))
  }
  return Object.hasOwn(document, "text") && typeof document.text === "string"
    ? Either.right(document.text)
    : invalid(`documents[${index}] must have a "text" field, or pass rank_fields`)
}

/** The call a valid body asks for, or Cohere's message for the first problem. */
export const parse = (version: ApiVersion, body: unknown): Either.Either<Call, string> => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return invalid("request body must be a JSON object")
  }
  if (version === "v2" && (body as { model?: unknown }).model === undefined) return invalid("model must be specified")
  const decoded: Either.Either<CohereSchema.V1Request | CohereSchema.V2Request, ParseResult.ParseError> =
    version === "v2" ? decodeV2(body) : decodeV1(body)
  if (Either.isLeft(decoded)) return invalid(describe(decoded.left))
  const request = decoded.right
  if (version === "v2" && request.model?.trim() === "") return invalid("model must be specified")
  if (request.query.trim() === "") return invalid("query must not be empty")
  if (request.documents.length === 0) return invalid("list of documents must not be empty")
  const v1 = version === "v1" ? (request as CohereSchema.V1Request) : undefined
  const chunks = v1?.maxChunksPerDoc ?? (v1 === undefined ? 1 : CohereSchema.defaultMaxChunksPerDoc)
  if (request.documents.length * chunks > CohereSchema.maxTotalChunks) {
    return invalid(CohereSchema.chunkLimitMessage(CohereSchema.maxTotalChunks))
  }
  const rankFields = Array.from(new Set(v1?.rankFields ?? []))
  if (rankFields.length > maxRankFields) return invalid(`rank_fields must have at most ${maxRankFields} fields`)
  const texts: Array<string> = []
  for (let i = 0; i < request.documents.length; i++) {
    const text = textOf(request.documents[i], i, rankFields)
    if (Either.isLeft(text)) return Either.left(text.left)
    texts.push(text.right)
  }
  return Either.right({
    model: request.model,
    query: request.query,
    texts,
    topN: request.topN,
    returnDocuments: v1?.returnDocuments === true
  })
}
