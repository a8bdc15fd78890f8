/**
 * The server's half of a rerank protocol: where a client of that protocol sends its requests and its key, how its
 * request body reads (with the same `Schema`s the client half in `@effect-rerank/http` encodes with), and how an
 * answer and an error are written back. Each protocol is defined once: the client half in its `@effect-rerank/http`
 * module, this half in `ServerProtocols`, both over that module's schemas.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * What a server reads out of a rerank request, in any protocol.
 *
 * @since 0.2.0
 * @category models
 */
export interface Call {
  readonly model: string | undefined
  readonly query: string
  /** The text each document is ranked by: a string document itself, its `text`, or its rank fields. */
  readonly texts: ReadonlyArray<string>
  /** The documents exactly as the client sent them, to be returned as they came (objects with all their fields). */
  readonly documents: ReadonlyArray<unknown>
  readonly topN: number | undefined
  readonly returnDocuments: boolean
  /** An instruction in the protocol's own field (Contextual AI's): the reranker follows it or refuses the call. */
  readonly instruction?: string | undefined
}

/**
 * What a server answers a `Call` with, before the protocol shapes it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Answer {
  /** The path the call came in on (one of the protocol's `paths`). */
  readonly path: string
  readonly call: Call
  readonly model: string
  /** Best first; `index` is the position in `call.texts`. */
  readonly results: ReadonlyArray<{ readonly index: number; readonly score: number }>
  readonly searchUnits: number
  /** Tokens the reranker behind the server was billed (a gateway's upstream reporting them), else 0. */
  readonly tokens: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ServerProtocol {
  /**
   * The paths under the server's prefix for this protocol (`/jina` + `/v1/rerank`); a `{name}` segment matches any
   * one segment (Vertex AI's `/v1/projects/{project}/...`).
   */
  readonly paths: ReadonlyArray<string>
  /** Where a client of this protocol sends its key. */
  readonly auth: "bearer" | "api-key" | "aws-sigv4"
  /** A request body (sent to `path`, one of `paths`) to a call, or the provider's message for the first problem. */
  readonly decodeRequest: (json: unknown, path: string) => Either.Either<Call, string>
  readonly encodeResponse: (answer: Answer) => unknown
  /** An error body as this provider writes it, for a status and a message. */
  readonly encodeError: (status: number, message: string) => unknown
  /** Headers an error carries besides `Retry-After` (Bedrock's `x-amzn-ErrorType`). */
  readonly errorHeaders?: ((status: number) => Readonly<Record<string, string>>) | undefined
}

/**
 * A 400's message in the shape every protocol's server uses.
 *
 * @since 0.2.0
 * @category decoding
 */
export const invalid = (message: string): Either.Either<never, string> => Either.left(`invalid request: ${message}`)

/**
 * More rank fields than any real document has: a long list only costs the server time.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxRankFields = 100

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
 * Names the field and the type it must have; never quotes the value (it may be huge, or a document). A field that is
 * a union (a document: a string or an object) gets one issue per member from effect/Schema, all at its path: every
 * type it may have is named (`documents[0] must be a string or an object`).
 *
 * @since 0.2.0
 * @category decoding
 */
export const describe = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const [first] = issues
  if (first === undefined || first.path.length === 0) return "request body must be a JSON object"
  const field = fieldName(first.path)
  if (first._tag === "Missing") return `${field} is required`
  const here = issues.filter((issue) => fieldName(issue.path) === field)
  // An optional field's union ends in undefined (or null, which is accepted): neither is worth naming.
  const types = here
    .filter((issue) => !/^Expected (undefined|null)\b/.test(issue.message))
    .map((issue) => typeName(issue.message))
  return `${field} must be ${[...new Set(types)].join(" or ")}`
}

/**
 * A request body through `schema`, or the server's message naming the first problem (a body that is not an object
 * fails at the top level: "request body must be a JSON object").
 *
 * @since 0.2.0
 * @category decoding
 */
export const requestDecoder = <A, I>(schema: Schema.Schema<A, I>): ((json: unknown) => Either.Either<A, string>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  return (json) => Either.mapLeft(decode(json), (error) => `invalid request: ${describe(error)}`)
}

/** A document as the protocols take it: a string, or an object. */
type Document = string | { readonly [key: string]: unknown }

/**
 * A document's text: the string itself, its `text`, or its rank fields (own properties only; a document parsed from
 * JSON has no undefined values).
 */
const textOf = (
  document: Document,
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

/**
 * What a decoded request of any protocol says, in the shape `call` reads.
 *
 * @since 0.2.0
 * @category decoding
 */
export interface Request {
  readonly model?: string | undefined
  readonly query: string
  readonly documents: ReadonlyArray<Document>
  readonly topN?: number | undefined
  readonly rankFields?: ReadonlyArray<string> | undefined
  readonly returnDocuments?: boolean | undefined
  readonly instruction?: string | undefined
  /** The documents field's wire name, for messages. */
  readonly field?: string | undefined
}

/**
 * The checks every protocol's server applies after decoding, and the texts to rank.
 *
 * @since 0.2.0
 * @category decoding
 */
export const call = (request: Request): Either.Either<Call, string> => {
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
    documents: request.documents,
    topN: request.topN,
    returnDocuments: request.returnDocuments === true,
    ...(request.instruction === undefined ? {} : { instruction: request.instruction })
  })
}

/**
 * A server's reading of one protocol's request body: the schema, then the shared checks.
 *
 * @since 0.2.0
 * @category decoding
 */
export const callDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  toRequest: (request: A) => Request
): ((json: unknown) => Either.Either<Call, string>) => {
  const decode = requestDecoder(schema)
  return (json) => Either.flatMap(decode(json), (request) => call(toRequest(request)))
}

/**
 * A document returned as the client sent it, in the `{ text }` form where the protocol wraps a string document in one
 * (Cohere v1, Jina, Together, Pinecone, vLLM): an object comes back with every field it had.
 *
 * @since 0.2.0
 * @category encoding
 */
export const documentAsSent = (call: Call, index: number): unknown => {
  const document = call.documents[index]
  return typeof document === "string" ? { text: document } : document
}
