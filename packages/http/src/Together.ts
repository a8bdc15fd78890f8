/**
 * Together AI's Rerank API (`POST https://api.together.xyz/v1/rerank`, Cohere-like) as a `Reranker`.
 *
 * Sources: Together's API reference (docs.together.ai/reference/rerank-1: `model`, `query`, `documents` as strings
 * or objects, `top_n`, `return_documents`, `rank_fields`), the Vercel AI SDK's Together provider
 * (`togetherai-reranking-api.ts`, and its recorded fixture `togetherai-reranking.1.json`: `id`, `object: "rerank"`,
 * `model`, `results[].index`, `results[].relevance_score`, `results[].document` (`{}` when not requested), `usage`
 * with prompt/completion/total tokens) and its error schema `{"error": {"message"}}` (OpenAI-style, with `type` and
 * `code`). Scores are in [0, 1].
 *
 * @since 0.2.0
 */
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Together's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = ["Salesforce/Llama-Rank-V1", "mixedbread-ai/Mxbai-Rerank-Large-V2"] as const

/**
 * Together's rerank models; any other string is allowed too.
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
  baseUrl: "https://api.together.xyz",
  model: "Salesforce/Llama-Rank-V1",
  // Together publishes no document count limit; 1,000 as for the Cohere-like APIs.
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** `return_documents`. */
  readonly returnDocuments?: boolean | undefined
}

/**
 * `POST /v1/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Schema.String,
  query: Schema.String,
  documents: Schema.Array(Wire.Document),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  returnDocuments: Wire.optionalFrom(Schema.Boolean, "return_documents"),
  rankFields: Wire.optionalFrom(Schema.Array(Schema.String), "rank_fields")
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  id: Wire.nullable(Schema.String),
  object: Wire.nullable(Schema.String),
  model: Wire.nullable(Schema.String),
  results: Schema.Array(Wire.RelevanceResult),
  usage: Wire.nullable(
    Schema.Struct({
      promptTokens: Wire.nullable(Schema.Number).pipe(Schema.fromKey("prompt_tokens")),
      completionTokens: Wire.nullable(Schema.Number).pipe(Schema.fromKey("completion_tokens")),
      totalTokens: Wire.nullable(Schema.Number).pipe(Schema.fromKey("total_tokens"))
    })
  )
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "together",
  defaults,
  path: () => "/v1/rerank",
  keyAdvice: "Together reads the key from TOGETHER_API_KEY.",
  endpointAdvice: "A Together endpoint answers POST /v1/rerank (TOGETHER_BASE_URL).",
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.records ?? request.documents
    }
    if (request.records !== undefined) body.rank_fields = Wire.rankFieldsOf(request.records)
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
    return body
  },
  // Objects with `rank_fields`, which name top-level keys.
  fields: () => ({ native: true }),
  // Billed in tokens, as `usage.total_tokens` reports.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    ...Wire.relevanceWindow(response.results),
    ...Wire.reportedTokens(response.usage)
  })),
  errors: { errorBody: Wire.openAiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `TOGETHER_API_KEY` and the base
 * URL from `TOGETHER_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["TOGETHER_API_KEY"],
  keyRequired: true,
  keyName: "a Together API key",
  baseUrl: "TOGETHER_BASE_URL"
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
