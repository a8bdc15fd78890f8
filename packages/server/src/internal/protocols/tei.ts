/** TEI's protocol, the server's half: `texts`, a bare-array answer, `{error, error_type}` errors. */
import { Tei } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Tei.Response)

export const tei: ServerProtocol.ServerProtocol = {
  paths: ["/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(Tei.Request, (request) => ({
    model: undefined,
    query: request.query,
    documents: request.texts,
    returnDocuments: request.returnText,
    field: "texts"
  })),
  encodeResponse: ({ call, results }) =>
    encodeResponse(
      results.map((r) =>
        call.returnDocuments
          ? { index: r.index, score: r.score, text: call.texts[r.index] }
          : { index: r.index, score: r.score }
      )
    ),
  encodeError: (status, message) => ({
    error: message,
    // TEI's kinds: an overloaded queue, a failed backend, or a request it will not take.
    error_type: status === 429 ? "Overloaded" : status >= 500 ? "Backend" : "Validation"
  })
}
