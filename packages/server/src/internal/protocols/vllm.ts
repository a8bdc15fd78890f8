/** vLLM's protocol, the server's half: Cohere-style under `/v2/rerank`, `/v1/rerank` and `/rerank`. */
import { Vllm } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Vllm.Response)

/** vLLM's error types for the statuses our server sends; any other is a BadRequestError or InternalServerError. */
const statusTypes: Record<number, string> = {
  401: "Unauthorized",
  429: "TooManyRequests",
  500: "InternalServerError",
  503: "ServiceUnavailable"
}

export const vllm: ServerProtocol.ServerProtocol = {
  paths: ["/v2/rerank", "/v1/rerank", "/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Vllm.Request, (request) => request),
  encodeResponse: ({ call, model, results, tokens }) =>
    encodeResponse({
      id: `rerank-${crypto.randomUUID()}`,
      model,
      usage: { totalTokens: tokens },
      results: results.map((r) => ({
        index: r.index,
        document: ServerProtocol.documentAsSent(call, r.index),
        relevanceScore: r.score
      }))
    }),
  encodeError: (status, message) => ({
    error: {
      message,
      type: statusTypes[status] ?? (status >= 500 ? "InternalServerError" : "BadRequestError"),
      param: null,
      code: status
    }
  })
}
