/** Voyage's protocol, the server's half: string documents, `top_k`, results under `data`, `{detail}` errors. */
import { Voyage } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Voyage.Response)

export const voyage: ServerProtocol.ServerProtocol = {
  paths: ["/v1/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Voyage.Request, (request) => ({ ...request, topN: request.topK })),
  encodeResponse: ({ call, model, results, tokens }) =>
    encodeResponse({
      object: "list",
      data: results.map((r) =>
        call.returnDocuments
          ? { index: r.index, relevanceScore: r.score, document: call.documents[r.index] }
          : { index: r.index, relevanceScore: r.score }
      ),
      model,
      usage: { totalTokens: tokens }
    }),
  encodeError: (_status, message) => ({ detail: message })
}
