/**
 * vLLM's rerank endpoint, self-hosted, as a `Reranker`: `POST <VLLM_BASE_URL>/v2/rerank` (Cohere-style; vLLM also
 * serves `/v1/rerank` and `/rerank` in the Jina style, with the same bodies).
 *
 * Sources: vLLM's OpenAI-compatible server (`vllm/entrypoints/openai/protocol.py`: `RerankRequest` with `model`
 * (optional: the served model), `query`, `documents`, `top_n`, `truncate_prompt_tokens`; `RerankResponse` with `id`,
 * `model`, `usage.total_tokens`, `results[].index`, `results[].document.text`, `results[].relevance_score`), and its
 * two error envelopes: `{"error": {"message", "type", "param", "code"}}` in current versions, the flat
 * `{"object": "error", "message", "type", "param", "code"}` in older ones. What a score means depends on the model:
 * most cross-encoders give [0, 1], some give logits (`scores: "sigmoid"` maps those).
 *
 * @since 0.2.0
 */
import { OptionSchema } from "@effect-rerank/core"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  /** The served model: no `model` field is sent unless one is configured or requested. */
  model: "served-model",
  // vLLM has no fixed limit (its batch scheduler takes any count); 1,000 as for the Cohere-style APIs.
  maxDocumentsPerRequest: 1000
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  /** Required: where the server runs (`VLLM_BASE_URL`). */
  readonly baseUrl?: string | undefined
  /** `truncate_prompt_tokens`: keep this many tokens of each query-document pair. */
  readonly truncatePromptTokens?: number | undefined
}

/**
 * `POST /v2/rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  documents: Schema.Array(Wire.Document),
  topN: Wire.optionalFrom(Wire.PositiveInt, "top_n"),
  truncatePromptTokens: Wire.optionalFrom(Wire.PositiveInt, "truncate_prompt_tokens")
})

/**
 * The 200 body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  id: Wire.nullable(Schema.String),
  model: Wire.nullable(Schema.String),
  usage: Wire.nullable(Wire.TotalTokens),
  results: Schema.Array(Wire.RelevanceResult)
})

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "vllm",
  defaults,
  path: () => "/v2/rerank",
  keyAdvice: "vLLM takes the key it was started with (--api-key) from VLLM_API_KEY.",
  endpointAdvice: "A vLLM server answers POST /v2/rerank when serving a reranker (score) model (VLLM_BASE_URL).",
  options: Schema.Struct({ truncatePromptTokens: Schema.optional(OptionSchema.PositiveInt) }),
  scoring: (options) => [options.truncatePromptTokens],
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = { query: request.query, documents: request.documents }
    if (request.model !== defaults.model) body.model = request.model
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.truncatePromptTokens !== undefined) body.truncate_prompt_tokens = options.truncatePromptTokens
    return body
  },
  // Self-hosted: nothing is billed, but the tokens `usage.total_tokens` reports are what a price would count.
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    ...Wire.relevanceWindow(response.results),
    ...Wire.reportedTokens(response.usage)
  })),
  errors: { errorBody: Wire.openAiError }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the base URL from `VLLM_BASE_URL` and the key,
 * when the server was started with one, from `VLLM_API_KEY`.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["VLLM_API_KEY"],
  keyRequired: false,
  keyName: "the key the vLLM server was started with",
  baseUrl: "VLLM_BASE_URL"
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
