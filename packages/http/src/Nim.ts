/**
 * NVIDIA NIM's reranking API as a `Reranker`: a self-hosted NeMo Retriever Reranking NIM (`POST /v1/ranking`) or
 * NVIDIA's hosted API catalog (`POST https://ai.api.nvidia.com/v1/retrieval/<model>/reranking`, one URL per model).
 *
 * Sources: NVIDIA's NIM documentation (docs.nvidia.com/nim/nemo-retriever/text-reranking, "Use NVIDIA NeMo
 * Retriever Reranking NIM": `model`, `query: {text}`, `passages: [{text}]`, `truncate: "NONE" | "END"`, response
 * `rankings: [{index, logit}]` best first; its gRPC reference: the outputs are "the logit of the passages", and a
 * request ranks 1 to 512 passages); the hosted catalog's per-model URL, with the model's dots written as underscores
 * (`llama-3_2-nv-rerankqa-1b-v2`), as LiteLLM's NIM rerank transformation builds it. Errors are FastAPI's
 * `{"detail": ...}` (self-hosted) or a problem document with `detail` (hosted). Scores are logits: `scores:
 * "probability"` maps them through the sigmoid.
 *
 * @since 0.2.0
 */
import { OptionSchema, RerankError } from "@effect-rerank/core"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * NVIDIA's reranking NIMs; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "nvidia/llama-3.2-nv-rerankqa-1b-v2",
  "nvidia/llama-nemotron-rerank-1b-v2",
  "nvidia/llama-nemotron-rerank-vl-1b-v2",
  "nvidia/llama-nemotron-rerank-500m-v2",
  "nvidia/nv-rerankqa-mistral-4b-v3"
] as const

/**
 * NVIDIA's reranking NIMs; any other string is allowed too.
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
  /** The hosted API catalog; a self-hosted NIM is `http://<host>:8000`. */
  baseUrl: "https://ai.api.nvidia.com",
  model: "nvidia/llama-3.2-nv-rerankqa-1b-v2",
  // "Each request ranks one text query against N passages, where N is from 1 through 512."
  maxDocumentsPerRequest: 512
} as const

/** The hosted catalog's host: its URLs name the model. */
const catalogHost = "ai.api.nvidia.com"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  /** Required by the hosted catalog; a self-hosted NIM usually runs without one. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly model?: Model | undefined
  /** `truncate`: `"END"` cuts a passage past the model's context; `"NONE"` (the server's default) fails the call. */
  readonly truncate?: "NONE" | "END" | undefined
}

/**
 * `POST /v1/ranking`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.Struct({ text: Schema.String }),
  passages: Schema.Array(Schema.Struct({ text: Schema.String })),
  truncate: Wire.nullable(Schema.Literal("NONE", "END"))
})

/**
 * The 200 body: every passage's logit, best first.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  rankings: Schema.Array(Schema.Struct({ index: Schema.Number, logit: Schema.Number })),
  usage: Wire.nullable(Wire.TotalTokens)
})

/** Whether a base URL is NVIDIA's hosted catalog (one URL per model) rather than a NIM of one's own. */
const isCatalog = (options: Options): boolean => {
  try {
    return new URL(options.baseUrl ?? defaults.baseUrl).hostname === catalogHost
  } catch {
    // An unparseable base URL is refused by the shared endpoint check, with its own message.
    return false
  }
}

/** The catalog's URL segment for a model: its dots written as underscores. */
const catalogPath = (model: string) => `/v1/retrieval/${model.replaceAll(".", "_")}/reranking`

const OptionsSchema = Schema.Struct({ truncate: Schema.optional(OptionSchema.choice(["NONE", "END"])) })

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "nvidia.nim",
  defaults,
  options: OptionsSchema,
  path: (options) => (isCatalog(options) ? catalogPath(options.model ?? defaults.model) : "/v1/ranking"),
  keyAdvice: "NVIDIA's API catalog reads the key (nvapi-...) from NVIDIA_API_KEY.",
  endpointAdvice:
    "A NIM answers POST /v1/ranking (NIM_BASE_URL, e.g. http://localhost:8000); the hosted catalog answers POST /v1/retrieval/<model>/reranking.",
  scoring: (options) => options.truncate ?? null,
  // The catalog's URL names the layer's model: a call naming another would be answered by the wrong one.
  refuse: (request, options) => {
    const model = options.model ?? defaults.model
    return isCatalog(options) && request.model !== model
      ? new RerankError.InvalidRequestError({
          field: "model",
          reason: `NVIDIA's hosted catalog serves one model per URL, and this layer's is ${model}: make a layer for ${request.model}, or call a self-hosted NIM (which takes the model in the body)`
        })
      : undefined
  },
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: { text: request.query },
      passages: request.documents.map((text) => ({ text }))
    }
    if (options.truncate !== undefined) body.truncate = options.truncate
    return body
  },
  // Logits on the real line: the sigmoid makes them probabilities.
  scoreKind: () => "logit",
  billing: { unit: "tokens" },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.rankings.map((r) => ({ index: r.index, score: r.logit })),
    ...Wire.reportedTokens(response.usage)
  })),
  errors: { errorBody: Wire.fastApiError }
}

/** The hosted catalog needs a key; a self-hosted NIM may run without one. */
const complete = (options: Options): Effect.Effect<Options, ConfigError.ConfigError> =>
  isCatalog(options) && options.apiKey === undefined
    ? Effect.fail(
        ConfigError.MissingData(
          ["NVIDIA_API_KEY"],
          "Set NVIDIA_API_KEY to an NVIDIA API catalog key (nvapi-...), or NIM_BASE_URL to a NIM of your own"
        )
      )
    : Effect.succeed(options)

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `NVIDIA_API_KEY` and the base URL
 * from `NIM_BASE_URL` unless given. The hosted catalog without a key fails at construction, naming the variable.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(
  protocol,
  {
    key: ["NVIDIA_API_KEY", "NVIDIA_NIM_API_KEY"],
    keyRequired: false,
    keyName: "an NVIDIA API key",
    baseUrl: "NIM_BASE_URL"
  },
  { complete }
)

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
