/**
 * Jina AI's Rerank API (`POST https://api.jina.ai/v1/rerank`) as a `Reranker`.
 *
 * Sources: Jina's API reference (jina.ai/reranker: `model`, `query`, `documents` as strings or `{text}` objects,
 * `top_n`, `return_documents` (default true server-side), response `model`, `usage.total_tokens`, `results[].index`,
 * `results[].relevance_score`, `results[].document` as `{text}` or a string); recorded bodies in Elasticsearch's
 * `JinaAIRerankResponseEntityTests`; errors are FastAPI's `{"detail": ...}` (a string, or a list of `{loc, msg}` on
 * 422), and an exhausted balance is a 403, not a 402. Scores are in [0, 1].
 *
 * @since 0.2.0
 */
import { RerankError } from "@effect-rerank/core"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Jina's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "jina-reranker-v3",
  "jina-reranker-m0",
  "jina-reranker-v2-base-multilingual",
  "jina-colbert-v2",
  "jina-reranker-v1-base-en",
  "jina-reranker-v1-turbo-en",
  "jina-reranker-v1-tiny-en"
] as const

/**
 * Jina's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category models
 */
export type Model = (typeof models)[number] | (string & {})

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  baseUrl: "https://api.jina.ai",
  model: "jina-reranker-v2-base-multilingual",
  // Jina publishes no document count limit; 1,000 keeps bodies and latency in line with the other hosted APIs.
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** `return_documents`; documents are never needed back, since results hold the caller's own objects. */
  readonly returnDocuments?: boolean | undefined
}

/**
 * `POST /v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  documents: Schema.Array(Wire.Document),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  returnDocuments: Wire.optionalFrom(Schema.Boolean, "return_documents")
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  model: Wire.nullable(Schema.String),
  usage: Wire.nullable(Wire.TotalTokens),
  results: Schema.Array(Wire.RelevanceResult)
})

const balance = /balance|credit|insufficient|top.?up|quota/i

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "jina",
  defaults,
  path: () => "/v1/rerank",
  keyAdvice: "Jina reads the key from JINA_API_KEY.",
  endpointAdvice: "A Jina endpoint answers POST /v1/rerank (JINA_BASE_URL).",
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.documents
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
    return body
  },
  // Billed in tokens, as `usage.total_tokens` reports.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    ...Wire.relevanceWindow(response.results),
    ...Wire.reportedTokens(response.usage)
  })),
  errors: {
    errorBody: Wire.fastApiError,
    // Jina answers an exhausted balance with 403: a billing problem, not a forbidden key.
    special: (fields) =>
      fields.status === 403 && balance.test(fields.serverMessage ?? "")
        ? new RerankError.AuthenticationError({ ...fields, reason: "billing" })
        : undefined
  }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `JINA_API_KEY` and the base URL from
 * `JINA_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["JINA_API_KEY"],
  keyRequired: true,
  keyName: "a Jina API key",
  baseUrl: "JINA_BASE_URL"
})

/**
 * @since 0.2.0
 * @category constructors
 */
export const make: HttpProvider.Constructors<Options>["make"] = constructors.make

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: HttpProvider.Constructors<Options>["layer"] = constructors.layer

/**
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: HttpProvider.Constructors<Options>["layerConfig"] = constructors.layerConfig

/**
 * Where `layerConfig` reads the key and the base URL.
 *
 * @since 0.2.0
 * @category config
 */
export const variables: HttpProvider.Variables = constructors.variables
