/**
 * Mixedbread's Reranking API (`POST https://api.mixedbread.com/v1/reranking`) as a `Reranker`.
 *
 * Sources: Mixedbread's API reference (mixedbread.com/api-reference/endpoints/reranking: `model`, `query`, `input`
 * as strings or objects, `rank_fields`, `top_k`, `return_input`; Bearer auth), recorded bodies in Elasticsearch's
 * `MixedbreadRerankResponseEntityTests` (`data[].index`, `data[].score`, `data[].input`, `data[].object:
 * "rank_result"`, `object: "list"`, `model`, `usage`, `top_k`, `return_input`). Error bodies are read in both the
 * FastAPI (`detail`) and OpenAI (`error.message`) shapes. Scores are in [0, 1]. At most 1,000 inputs a request.
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
 * Mixedbread's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "mixedbread-ai/mxbai-rerank-large-v2",
  "mixedbread-ai/mxbai-rerank-base-v2",
  "mixedbread-ai/mxbai-rerank-large-v1",
  "mixedbread-ai/mxbai-rerank-base-v1",
  "mixedbread-ai/mxbai-rerank-xsmall-v1"
] as const

/**
 * Mixedbread's rerank models; any other string is allowed too.
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
  baseUrl: "https://api.mixedbread.com",
  model: "mixedbread-ai/mxbai-rerank-large-v2",
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** `return_input` (default false). */
  readonly returnInput?: boolean | undefined
}

/**
 * `POST /v1/reranking`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  // Optional on the wire: the API has a default model.
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  input: Schema.Array(Wire.Document),
  rankFields: Wire.optionalFrom(Schema.Array(Schema.String), "rank_fields"),
  topK: Wire.optionalFrom(Wire.PositiveInt, "top_k"),
  returnInput: Wire.optionalFrom(Schema.Boolean, "return_input")
})

/**
 * The 200 body: results under `data`, each `score`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  object: Wire.nullable(Schema.String),
  model: Wire.nullable(Schema.String),
  data: Schema.Array(
    Schema.Struct({
      index: Schema.Number,
      score: Schema.Number,
      input: Wire.nullable(Schema.Unknown),
      object: Wire.nullable(Schema.String)
    })
  ),
  usage: Wire.nullable(
    Schema.Struct({
      promptTokens: Wire.nullable(Schema.Number).pipe(Schema.fromKey("prompt_tokens")),
      totalTokens: Wire.nullable(Schema.Number).pipe(Schema.fromKey("total_tokens"))
    })
  ),
  topK: Wire.nullable(Schema.Number).pipe(Schema.fromKey("top_k")),
  returnInput: Wire.nullable(Schema.Boolean).pipe(Schema.fromKey("return_input"))
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "mixedbread",
  defaults,
  // A published limit for every model: `input` takes at most 1,000 items.
  maxDocumentsFor: () => defaults.maxDocumentsPerRequest,
  path: () => "/v1/reranking",
  keyAdvice: "Mixedbread reads the key from MXBAI_API_KEY.",
  endpointAdvice: "A Mixedbread endpoint answers POST /v1/reranking (MXBAI_BASE_URL).",
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      input: request.records ?? request.documents
    }
    // Mixedbread reads `rank_fields` as JMESPath: a flat key holding a dot is quoted to stay one key.
    if (request.records !== undefined) {
      body.rank_fields = Wire.rankFieldsOf(request.records).map((name) =>
        name.includes(".") ? JSON.stringify(name) : name
      )
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_k = topN
    if (options.returnInput !== undefined) body.return_input = options.returnInput
    return body
  },
  fields: () => ({ native: true }),
  // Billed in tokens, as `usage.total_tokens` reports.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.data.map((r) => ({ index: r.index, score: r.score })),
    ...Wire.reportedTokens(response.usage ?? undefined)
  })),
  errors: { errorBody: Wire.fastApiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `MXBAI_API_KEY` and the base URL
 * from `MXBAI_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["MXBAI_API_KEY"],
  keyRequired: true,
  keyName: "a Mixedbread API key",
  baseUrl: "MXBAI_BASE_URL"
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
