/**
 * Contextual AI's protocol, the server's half: string documents with their `metadata` (ranked with the text, as the
 * model reads both), an `instruction` the reranker behind follows or refuses.
 */
import { Contextual } from "@effect-rerank/http"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Contextual.Response)
const decode = ServerProtocol.requestDecoder(Contextual.Request)

export const contextual: ServerProtocol.ServerProtocol = {
  paths: ["/v1/rerank"],
  auth: "bearer",
  decodeRequest: (json) =>
    Either.flatMap(decode(json), (request) => {
      const { documents, metadata } = request
      if (metadata !== undefined && metadata.length !== documents.length) {
        return ServerProtocol.invalid(
          `metadata must have one entry per document (${documents.length}), got ${metadata.length}`
        )
      }
      return ServerProtocol.call({
        model: request.model,
        query: request.query,
        documents:
          metadata === undefined
            ? documents
            : documents.map((text, i) => (metadata[i] === "" ? text : `${text}\n${metadata[i]}`)),
        topN: request.topN,
        instruction: request.instruction
      })
    }),
  encodeResponse: ({ results }) =>
    encodeResponse({ results: results.map((r) => ({ index: r.index, relevanceScore: r.score })) }),
  encodeError: (_status, message) => ({ detail: message })
}
