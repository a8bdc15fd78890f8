/** Jina's protocol, the server's half: `documents` as strings or `{text}` objects, FastAPI's `{detail}` errors. */
import { Jina } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Jina.Response)

export const jina: ServerProtocol.ServerProtocol = {
  paths: ["/v1/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Jina.Request, (request) => ({
    ...request,
    // Jina's default is to return the documents.
    returnDocuments: request.returnDocuments ?? true
  })),
  encodeResponse: ({ call, model, results, tokens }) =>
    encodeResponse({
      model,
      usage: { totalTokens: tokens },
      results: results.map((r) =>
        call.returnDocuments
          ? { index: r.index, relevanceScore: r.score, document: ServerProtocol.documentAsSent(call, r.index) }
          : { index: r.index, relevanceScore: r.score }
      )
    }),
  encodeError: (_status, message) => ({ detail: message })
}
