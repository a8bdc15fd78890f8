/**
 * Reads a Cohere rerank request body (v1 or v2) the way Cohere does, answering malformed ones with Cohere's
 * messages.
 */
import * as Either from "effect/Either"

export type ApiVersion = "v1" | "v2"

export interface RerankCall {
  readonly model: string | undefined
  readonly query: string
  readonly texts: ReadonlyArray<string>
  readonly topN: number | undefined
  readonly returnDocuments: boolean
}

/** Cohere's limit on documents x max_chunks_per_doc. */
export const maxTotalChunks = 10_000
const defaultMaxChunksPerDoc = 10

const invalid = (message: string) => Either.left(`invalid request: ${message}`)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const textOf = (document: unknown, index: number, rankFields: unknown): Either.Either<string, string> => {
  if (typeof document === "string") return Either.right(document)
  if (!isRecord(document)) return invalid(`documents[${index}] must be a string or an object`)
  if (Array.isArray(rankFields) && rankFields.length > 0) {
    return Either.right(
      rankFields
        .filter((field): field is string => typeof field === "string" && document[field] !== undefined)
        .map((field) => `${field}: ${String(document[field])}`)
        .join("\n")
    )
  }
  return typeof document.text === "string"
    ? Either.right(document.text)
    : invalid(`documents[${index}] must have a "text" field, or pass rank_fields`)
}

/** The call a valid body asks for, or Cohere's message for the first problem. */
export const parse = (version: ApiVersion, body: unknown): Either.Either<RerankCall, string> => {
  if (!isRecord(body)) return invalid("request body must be a JSON object")
  const { documents, max_chunks_per_doc, model, query, return_documents, top_n } = body
  if (model !== undefined && typeof model !== "string") return invalid("model must be a string")
  if (version === "v2" && (model === undefined || model.trim() === "")) return invalid("model must be specified")
  if (typeof query !== "string" || query.trim() === "") return invalid("query must not be empty")
  if (!Array.isArray(documents) || documents.length === 0) return invalid("list of documents must not be empty")
  if (top_n !== undefined && !(Number.isInteger(top_n) && (top_n as number) >= 1)) {
    return invalid("top_n must be a positive integer")
  }
  if (return_documents !== undefined && typeof return_documents !== "boolean") {
    return invalid("return_documents must be a boolean")
  }
  const chunks = version === "v1" ? (max_chunks_per_doc ?? defaultMaxChunksPerDoc) : 1
  if (!(Number.isInteger(chunks) && (chunks as number) >= 1))
    return invalid("max_chunks_per_doc must be a positive integer")
  if (documents.length * (chunks as number) > maxTotalChunks) {
    return invalid(
      `number of total max chunks (number of documents * max_chunks_per_doc) must be less than ${maxTotalChunks}`
    )
  }
  const texts: Array<string> = []
  for (let i = 0; i < documents.length; i++) {
    if (version === "v2" && typeof documents[i] !== "string") return invalid(`documents[${i}] must be a string`)
    const text = textOf(documents[i], i, body.rank_fields)
    if (Either.isLeft(text)) return Either.left(text.left)
    texts.push(text.right)
  }
  return Either.right({
    model: model as string | undefined,
    query,
    texts,
    topN: top_n as number | undefined,
    returnDocuments: return_documents === true
  })
}
