/** OpenRouter's protocol, the server's half: Cohere-like, every result with its document, usage in both units. */
import { OpenRouter } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(OpenRouter.Response)

export const openrouter: ServerProtocol.ServerProtocol = {
  paths: ["/api/v1/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(OpenRouter.Request, (request) => request),
  encodeResponse: ({ call, model, results, searchUnits, tokens }) =>
    encodeResponse({
      id: `gen-rerank-${crypto.randomUUID()}`,
      model,
      provider: "effect-rerank",
      results: results.map((r) => ({
        index: r.index,
        relevanceScore: r.score,
        document: ServerProtocol.documentAsSent(call, r.index)
      })),
      usage: { searchUnits, totalTokens: tokens }
    }),
  encodeError: (status, message) => ({ error: { code: status, message } })
}
