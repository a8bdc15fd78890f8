/** NVIDIA NIM's protocol, the server's half: `query: {text}`, `passages: [{text}]`, every passage's logit back. */
import { Nim } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Nim.Response)

export const nim: ServerProtocol.ServerProtocol = {
  paths: ["/v1/ranking"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Nim.Request, (request) => ({
    model: request.model,
    query: request.query.text,
    documents: request.passages,
    field: "passages"
  })),
  // A NIM ranks every passage: it has no top N.
  encodeResponse: ({ results }) =>
    encodeResponse({ rankings: results.map((r) => ({ index: r.index, logit: r.score })) }),
  encodeError: (_status, message) => ({ detail: message })
}
