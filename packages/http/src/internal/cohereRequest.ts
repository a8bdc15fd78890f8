/**
 * The server's side of Cohere's protocol: a rerank request body (v1 or v2) read with the client's own
 * `CohereSchema`, then Cohere's rules the schema cannot express, answering malformed bodies with Cohere's messages.
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as CohereSchema from "../CohereSchema.js"
import type { Call } from "../HttpProvider.js"
import { call, describe, invalid } from "./wire.js"

export type ApiVersion = CohereSchema.ApiVersion

const decodeV2 = Schema.decodeUnknownEither(CohereSchema.V2Request, { errors: "first" })
const decodeV1 = Schema.decodeUnknownEither(CohereSchema.V1Request, { errors: "first" })

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
  const v1 = version === "v1" ? (request as CohereSchema.V1Request) : undefined
  const chunks = v1?.maxChunksPerDoc ?? (v1 === undefined ? 1 : CohereSchema.defaultMaxChunksPerDoc)
  if (request.documents.length * chunks > CohereSchema.maxTotalChunks) {
    return invalid(CohereSchema.chunkLimitMessage(CohereSchema.maxTotalChunks))
  }
  return call({ ...request, rankFields: v1?.rankFields, returnDocuments: v1?.returnDocuments })
}
