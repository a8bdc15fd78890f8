/** Together's protocol, the server's half: Cohere-like, with `rank_fields`, OpenAI-style errors. */
import { Together } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Together.Response)

export const together: ServerProtocol.ServerProtocol = {
  paths: ["/v1/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Together.Request, (request) => request),
  encodeResponse: ({ call, model, results, tokens }) =>
    encodeResponse({
      id: crypto.randomUUID(),
      object: "rerank",
      model,
      results: results.map((r) => ({
        index: r.index,
        relevanceScore: r.score,
        document: call.returnDocuments ? ServerProtocol.documentAsSent(call, r.index) : {}
      })),
      usage: { promptTokens: tokens, completionTokens: 0, totalTokens: tokens }
    }),
  encodeError: (status, message) => ({
    error: { message, type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error", code: null }
  })
}
