/**
 * Pinecone's protocol, the server's half: the key in `Api-Key`, documents as objects (or strings), `rank_fields`,
 * `return_documents` (true unless told otherwise), documents returned as sent, gRPC-style error codes.
 */
import { Pinecone } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Pinecone.Response)

/** Pinecone's gRPC-style codes for the statuses our server sends. */
const codes: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  402: "FAILED_PRECONDITION",
  403: "PERMISSION_DENIED",
  413: "OUT_OF_RANGE",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE"
}

export const pinecone: ServerProtocol.ServerProtocol = {
  paths: ["/rerank"],
  auth: "api-key",
  decodeRequest: ServerProtocol.callDecoder(Pinecone.Request, (request) => ({
    ...request,
    // Pinecone's default is to return the documents.
    returnDocuments: request.returnDocuments ?? true
  })),
  encodeResponse: ({ call, model, results, searchUnits }) =>
    encodeResponse({
      model,
      data: results.map((r) =>
        call.returnDocuments
          ? { index: r.index, score: r.score, document: ServerProtocol.documentAsSent(call, r.index) }
          : { index: r.index, score: r.score }
      ),
      usage: { rerankUnits: searchUnits }
    }),
  encodeError: (status, message) => ({ error: { code: codes[status] ?? "UNKNOWN", message }, status })
}
