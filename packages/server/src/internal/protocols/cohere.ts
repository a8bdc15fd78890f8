/**
 * Cohere's protocol, the server's half: v2 and v1 request bodies read with the client's own `CohereSchema`, then
 * Cohere's rules the schema cannot express, answered with Cohere's messages; Cohere's response and `{id, message}`
 * error bodies.
 */
import { CohereSchema } from "@effect-rerank/http"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const decodeV2 = Schema.decodeUnknownEither(CohereSchema.V2Request, { errors: "first" })
const decodeV1 = Schema.decodeUnknownEither(CohereSchema.V1Request, { errors: "first" })
const encodeResponse = Schema.encodeSync(CohereSchema.RerankResponse)

/** The call a valid body asks for, or Cohere's message for the first problem. */
export const parse = (version: CohereSchema.ApiVersion, body: unknown): Either.Either<ServerProtocol.Call, string> => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return ServerProtocol.invalid("request body must be a JSON object")
  }
  const model = (body as { model?: unknown }).model
  if (version === "v2" && (model === undefined || model === null)) {
    return ServerProtocol.invalid("model must be specified")
  }
  const decoded: Either.Either<CohereSchema.V1Request | CohereSchema.V2Request, ParseResult.ParseError> =
    version === "v2" ? decodeV2(body) : decodeV1(body)
  if (Either.isLeft(decoded)) return ServerProtocol.invalid(ServerProtocol.describe(decoded.left))
  const request = decoded.right
  if (version === "v2" && request.model?.trim() === "") return ServerProtocol.invalid("model must be specified")
  const v1 = version === "v1" ? (request as CohereSchema.V1Request) : undefined
  const chunks = v1?.maxChunksPerDoc ?? (v1 === undefined ? 1 : CohereSchema.defaultMaxChunksPerDoc)
  if (request.documents.length * chunks > CohereSchema.maxTotalChunks) {
    return ServerProtocol.invalid(CohereSchema.chunkLimitMessage(CohereSchema.maxTotalChunks))
  }
  return ServerProtocol.call({ ...request, rankFields: v1?.rankFields, returnDocuments: v1?.returnDocuments })
}

export const cohere: ServerProtocol.ServerProtocol = {
  paths: ["/v2/rerank", "/v1/rerank"],
  auth: "bearer",
  decodeRequest: (json, path) => parse(path === "/v1/rerank" ? "v1" : "v2", json),
  encodeResponse: ({ call, path, results, searchUnits }) =>
    encodeResponse({
      id: crypto.randomUUID(),
      results: results.map((r) =>
        call.returnDocuments
          ? { index: r.index, relevanceScore: r.score, document: ServerProtocol.documentAsSent(call, r.index) }
          : { index: r.index, relevanceScore: r.score }
      ),
      meta: { apiVersion: { version: path === "/v1/rerank" ? "1" : "2" }, billedUnits: { searchUnits } }
    }),
  encodeError: (_status, message) => ({ id: crypto.randomUUID(), message })
}
