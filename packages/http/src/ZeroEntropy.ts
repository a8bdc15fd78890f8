/**
 * ZeroEntropy's rerank API (`POST https://api.zeroentropy.dev/v1/models/rerank`) as a `Reranker`.
 *
 * Sources: ZeroEntropy's API reference (docs.zeroentropy.dev/api-reference/models/rerank: `model`, `query`,
 * `documents` as strings, `top_n`, `latency: "fast" | "slow"` (unset: fast, then slow once the fast rate limit is
 * spent; `"fast"` set explicitly answers 429 instead), response `results[].index`, `results[].relevance_score`,
 * `total_bytes`, `total_tokens`, `actual_latency_mode`); its rate limits: bytes per minute counted as
 * `sum(150 + len(query) + len(document))` in UTF-8 bytes over the documents, at most 5,000,000 such bytes per request;
 * its pricing (docs.zeroentropy.dev/models, read 2026-12-03): $0.025 per million tokens. zerank models give
 * calibrated relevance in [0, 1]. Errors are FastAPI's `{"detail": ...}`.
 *
 * @since 0.2.0
 */
import { type Billing, OptionSchema, RerankError } from "@effect-rerank/core"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Transport from "./internal/transport.js"
import * as Wire from "./internal/wire.js"

/**
 * ZeroEntropy's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = ["zerank-2", "zerank-1", "zerank-1-small"] as const

/**
 * ZeroEntropy's rerank models; any other string is allowed too.
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
  baseUrl: "https://api.zeroentropy.dev",
  model: "zerank-2",
  // ZeroEntropy limits bytes, not documents (`maxRequestUnits`); 1,000 as for the Cohere-like APIs.
  maxDocumentsPerRequest: 1000
} as const

/**
 * The most of ZeroEntropy's counted bytes one request may hold.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxRequestUnits = 5_000_000

/**
 * Bytes as ZeroEntropy counts them against its limits: 150 per document, plus the query's and the document's UTF-8
 * bytes (the query once per document, as a cross-encoder reads it).
 *
 * @since 0.2.0
 * @category utils
 */
export const countedBytes = (query: string, documents: ReadonlyArray<string>): number => {
  const queryBytes = Transport.utf8Length(query)
  let total = 0
  for (const document of documents) total += 150 + queryBytes + Transport.utf8Length(document)
  return total
}

/**
 * Default prices (USD per million tokens), as published on docs.zeroentropy.dev/models, read 2026-12-03; pass
 * `prices` to override.
 *
 * @since 0.2.0
 * @category constants
 */
export const prices: Billing.Prices = { "*": { unit: "tokens", usd: 0.025, per: 1_000_000 } }

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /**
   * `latency`: `"fast"` (subsecond, lower rate limits: a 429 when they are spent, retried as any rate limit) or
   * `"slow"` (rate limits orders of magnitude higher, seconds per call). Unset, the server tries fast, then slow.
   */
  readonly latency?: "fast" | "slow" | undefined
}

/**
 * `POST /v1/models/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  documents: Schema.Array(Schema.String),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  latency: Wire.nullable(Schema.Literal("fast", "slow"))
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  results: Schema.Array(
    Schema.Struct({
      index: Schema.Number,
      relevanceScore: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("relevance_score"))
    })
  ),
  totalBytes: Wire.optionalFrom(Schema.Number, "total_bytes"),
  totalTokens: Wire.optionalFrom(Schema.Number, "total_tokens"),
  actualLatencyMode: Wire.optionalFrom(Schema.String, "actual_latency_mode")
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "zeroentropy",
  defaults,
  options: Schema.Struct({ latency: Schema.optional(OptionSchema.choice(["fast", "slow"])) }),
  path: () => "/v1/models/rerank",
  keyAdvice: "ZeroEntropy reads the key from ZEROENTROPY_API_KEY.",
  endpointAdvice: "A ZeroEntropy endpoint answers POST /v1/models/rerank (ZEROENTROPY_BASE_URL).",
  // Past the per-request limit the server refuses the call; said before sending, in its own unit.
  refuse: (request) => {
    const actual = countedBytes(request.query, request.documents)
    return actual > maxRequestUnits
      ? new RerankError.PayloadLimitError({ limit: maxRequestUnits, actual, unit: "bytes" })
      : undefined
  },
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.documents
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.latency !== undefined) body.latency = options.latency
    return body
  },
  // Calibrated: a relevance in [0, 1].
  scoreKind: () => "probability",
  billing: { unit: "tokens", prices },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.results.map((r) => ({ index: r.index, score: r.relevanceScore })),
    ...Wire.reported("tokens", response.totalTokens)
  })),
  errors: { errorBody: Wire.fastApiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `ZEROENTROPY_API_KEY` and the base
 * URL from `ZEROENTROPY_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["ZEROENTROPY_API_KEY"],
  keyRequired: true,
  keyName: "a ZeroEntropy API key",
  baseUrl: "ZEROENTROPY_BASE_URL"
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
