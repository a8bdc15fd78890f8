/**
 * Your own rerank API as a `Reranker`, in a few lines: describe its wire format as a `WireProtocol` and hand it to
 * `HttpProvider.layer`. Batching, retries (with `Retry-After`), timeouts, the status table, the body caps, the
 * redirect and plain-http refusals, key scrubbing and the spans all come with it.
 *
 * The API here answers `POST /score` with `{ "query", "texts" }` by `{ "scores": [0.1, 0.9, ...] }` in input order,
 * takes at most 64 texts a request, and reports errors as `{ "error": "..." }`.
 */
import { HttpProvider } from "@effect-rerank/http"
import { Either, Schema } from "effect"

const Response = Schema.Struct({ scores: Schema.Array(Schema.Number) })
const decode = Schema.decodeUnknownEither(Response)

export const acme: HttpProvider.WireProtocol = {
  system: "acme",
  defaults: { baseUrl: "https://rerank.acme.example", model: "acme-rank-1", maxDocumentsPerRequest: 64 },
  path: () => "/score",
  keyAdvice: "Acme reads the key from ACME_API_KEY.",
  endpointAdvice: "An Acme endpoint answers POST /score.",
  encodeRequest: (request) => ({ query: request.query, texts: request.documents }),
  decodeResponse: (json) =>
    Either.match(decode(json), {
      onLeft: () => Either.left("expected { scores: number[] }"),
      onRight: ({ scores }) => Either.right({ results: scores.map((score, index) => ({ index, score })) })
    }),
  errors: {
    errorBody: (json) =>
      typeof json === "object" && json !== null && "error" in json && typeof json.error === "string"
        ? { message: json.error }
        : {}
  }
}

/** `Acme.layer({ apiKey })`, and `layerConfig()` reading ACME_API_KEY and ACME_BASE_URL. */
export const Acme = HttpProvider.constructors(acme, {
  key: ["ACME_API_KEY"],
  keyRequired: true,
  keyName: "an Acme API key",
  baseUrl: "ACME_BASE_URL"
})
