/** ZeroEntropy's protocol, the server's half: string documents, `latency`, its counted bytes and tokens back. */
import { ZeroEntropy } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(ZeroEntropy.Response)

export const zeroentropy: ServerProtocol.ServerProtocol = {
  paths: ["/v1/models/rerank"],
  auth: "bearer",
  decodeRequest: ServerProtocol.callDecoder(ZeroEntropy.Request, (request) => request),
  encodeResponse: ({ call, results, tokens }) =>
    encodeResponse({
      results: results.map((r) => ({ index: r.index, relevanceScore: r.score })),
      totalBytes: ZeroEntropy.countedBytes(call.query, call.texts),
      totalTokens: tokens,
      // This server has one tier.
      actualLatencyMode: "fast"
    }),
  encodeError: (_status, message) => ({ detail: message })
}
