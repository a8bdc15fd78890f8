/**
 * Mixedbread's protocol, the server's half: `input` as strings or objects, `rank_fields`, `top_k`, `return_input`;
 * the model optional (the API has a default); the input returned as sent.
 */
import { Mixedbread } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Mixedbread.Response)

export const mixedbread: ServerProtocol.ServerProtocol = {
  paths: ["/v1/reranking"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Mixedbread.Request, (request) => ({
    model: request.model,
    query: request.query,
    documents: request.input,
    topN: request.topK,
    rankFields: request.rankFields,
    returnDocuments: request.returnInput,
    field: "input"
  })),
  encodeResponse: ({ call, model, results, tokens }) =>
    encodeResponse({
      object: "list",
      model,
      data: results.map((r) => ({
        index: r.index,
        score: r.score,
        input: call.returnDocuments ? call.documents[r.index] : null,
        object: "rank_result"
      })),
      usage: { promptTokens: tokens, totalTokens: tokens },
      topK: call.topN ?? call.texts.length,
      returnInput: call.returnDocuments
    }),
  encodeError: (_status, message) => ({ detail: message })
}
