/**
 * Voyage AI's Rerank API (`POST https://api.voyageai.com/v1/rerank`) as a `Reranker`.
 *
 * Sources: Voyage's API reference and its official TypeScript SDK (`voyageai`, `RerankRequest`: `query`,
 * `documents` (at most 1,000), `model`, `top_k`, `return_documents`, `truncation`; `RerankResponse`: `object`,
 * `data[].index`, `data[].relevance_score`, `data[].document`, `model`, `usage.total_tokens`), recorded bodies in
 * Elasticsearch's `VoyageAIRerankResponseEntityTests`, and docs.voyageai.com/docs/error-codes (FastAPI's
 * `{"detail": ...}`; 400 invalid request or too many tokens, 401 key, 403 IP, 429 rate limit, 5xx). A request is
 * also limited in total tokens (query tokens x documents + document tokens: 600K for rerank-2.5 and rerank-2, 300K
 * for rerank-1...); this client does not tokenize, so a window over the budget comes back as Voyage's 400. Scores
 * are in [0, 1].
 *
 * @since 0.2.0
 */
import { Provider } from "@effect-rerank/core"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Voyage's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "rerank-2.5",
  "rerank-2.5-lite",
  "rerank-2",
  "rerank-2-lite",
  "rerank-1",
  "rerank-lite-1"
] as const

/**
 * Voyage's rerank models; any other string is allowed too.
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
  baseUrl: "https://api.voyageai.com",
  model: "rerank-2.5",
  /** "The number of documents cannot exceed 1000." */
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** `truncation` (Voyage's default true): false makes an over-long query or document an error instead. */
  readonly truncation?: boolean | undefined
  /** `return_documents` (default false). */
  readonly returnDocuments?: boolean | undefined
}

/**
 * `POST /v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  query: Schema.String,
  documents: Schema.Array(Schema.String),
  model: Schema.String,
  topK: Wire.optionalFrom(Wire.PositiveInt, "top_k"),
  returnDocuments: Wire.optionalFrom(Schema.Boolean, "return_documents"),
  truncation: Wire.nullable(Schema.Boolean)
})

/** The models that follow instructions. */
const instructionModels: ReadonlySet<string> = new Set(["rerank-2.5", "rerank-2.5-lite"])

/**
 * The 200 body: results under `data`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  object: Wire.nullable(Schema.String),
  data: Schema.Array(Wire.RelevanceResult),
  model: Wire.nullable(Schema.String),
  usage: Wire.nullable(Wire.TotalTokens)
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "voyage",
  defaults,
  // A published limit for every model: "The number of documents cannot exceed 1000.".
  maxDocumentsFor: () => defaults.maxDocumentsPerRequest,
  path: () => "/v1/rerank",
  keyAdvice: "Voyage reads the key from VOYAGE_API_KEY.",
  endpointAdvice: "A Voyage endpoint answers POST /v1/rerank (VOYAGE_BASE_URL).",
  scoring: (options) => [options.truncation],
  // rerank-2.5 and rerank-2.5-lite follow an instruction given with the query: the API has no field for one, and
  // Voyage's announcement (blog.voyageai.com/2025/08/11/rerank-2-5) has it written ahead of the query text.
  instructionFor: (_, model) =>
    instructionModels.has(model) ? { kind: "query", format: Provider.prependInstruction } : undefined,
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      query: request.query,
      documents: request.documents,
      model: request.model
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_k = topN
    if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
    if (options.truncation !== undefined) body.truncation = options.truncation
    return body
  },
  // Billed in tokens, as `usage.total_tokens` reports.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    ...Wire.relevanceWindow(response.data),
    ...Wire.reportedTokens(response.usage)
  })),
  errors: { errorBody: Wire.fastApiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `VOYAGE_API_KEY` and the base URL
 * from `VOYAGE_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["VOYAGE_API_KEY"],
  keyRequired: true,
  keyName: "a Voyage API key",
  baseUrl: "VOYAGE_BASE_URL"
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
