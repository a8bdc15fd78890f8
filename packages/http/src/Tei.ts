/**
 * Hugging Face text-embeddings-inference (TEI), self-hosted, as a `Reranker`: `POST <TEI_BASE_URL>/rerank`.
 *
 * Sources: TEI's OpenAPI document (`docs/openapi.json`: `RerankRequest` with `query`, `texts`, `truncate`,
 * `truncation_direction`, `raw_scores`, `return_text`; the response a bare array of `{index, score, text?}`;
 * `ErrorResponse` `{error, error_type}` with the examples 413 "Batch size error" / validation, 422 tokenizer,
 * 424 backend ("Inference failed"), 429 overloaded ("Model is overloaded")) and its router: a request over
 * `--max-client-batch-size` (default 32) fails with "batch size N > maximum allowed batch size M" (413 before v1.9,
 * 422 since), `error_type` is PascalCase on the wire in recent versions, and a 401 (with `--api-key`) has an empty
 * body. A TEI server serves one model, so no model is sent. Scores are the model's sigmoid output in [0, 1], or raw
 * logits with `rawScores` (then `scores: "sigmoid"` maps them back for `minScore`).
 *
 * @since 0.2.0
 */
import { RerankError } from "@effect-rerank/core"
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
  /** Only for reports: TEI serves one model and takes no model field. */
  model: "tei",
  /** TEI's default `--max-client-batch-size`. */
  maxDocumentsPerRequest: 32
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  /** Required: where the server runs (`TEI_BASE_URL`). */
  readonly baseUrl?: string | undefined
  /** `truncate`: cut inputs over the model's length instead of failing. */
  readonly truncate?: boolean | undefined
  /** `truncation_direction`, `"Right"` (default) or `"Left"`. */
  readonly truncationDirection?: "Left" | "Right" | undefined
  /** `raw_scores`: logits instead of sigmoid scores. */
  readonly rawScores?: boolean | undefined
}

/**
 * `POST /rerank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  query: Schema.String,
  texts: Schema.Array(Schema.String),
  truncate: Wire.nullable(Schema.Boolean),
  truncationDirection: Wire.optionalFrom(Schema.Literal("Left", "Right", "left", "right"), "truncation_direction"),
  rawScores: Wire.optionalFrom(Schema.Boolean, "raw_scores"),
  returnText: Wire.optionalFrom(Schema.Boolean, "return_text")
})

/**
 * The 200 body: a bare array, best first.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Array(
  Schema.Struct({ index: Schema.Number, score: Schema.Number, text: Wire.nullable(Schema.String) })
)

/**
 * TEI's error body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ErrorBody = Schema.Struct({
  error: Wire.nullable(Schema.String),
  errorType: Wire.nullable(Schema.String).pipe(Schema.fromKey("error_type"))
})

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

const batchSize = /batch size (\d+) > maximum allowed batch size (\d+)/i

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "tei",
  defaults,
  path: () => "/rerank",
  keyAdvice: "TEI takes the key it was started with (--api-key) from TEI_API_KEY.",
  endpointAdvice: "A text-embeddings-inference server answers POST /rerank with a reranker model (TEI_BASE_URL).",
  scoring: (options) => [options.truncate, options.truncationDirection, options.rawScores],
  // TEI puts the model's logit through the sigmoid unless `raw_scores` is true (its openapi.json: `raw_scores`,
  // default false; router/src/http/server.rs applies the sigmoid otherwise).
  scoreKind: (options) => (options.rawScores === true ? "logit" : "probability"),
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = { query: request.query, texts: request.documents }
    if (options.truncate !== undefined) body.truncate = options.truncate
    if (options.truncationDirection !== undefined) body.truncation_direction = options.truncationDirection
    if (options.rawScores !== undefined) body.raw_scores = options.rawScores
    return body
  },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.map((r) => ({ index: r.index, score: r.score }))
  })),
  errors: {
    errorBody: (json) =>
      Option.match(decodeErrorBody(json), {
        onNone: () => ({}),
        onSome: ({ error }) => ({ message: error ?? undefined })
      }),
    // Over the server's batch size: a payload limit in documents, whether TEI says 413 (before v1.9) or 422.
    special: (fields, context) => {
      // 424: the model failed on this input (TEI's "Inference failed"): the server's fault, not retried.
      if (fields.status === 424) return new RerankError.ServiceError(fields)
      const stated = batchSize.exec(fields.serverMessage ?? "")
      if (stated === null || (fields.status !== 413 && fields.status !== 422)) return undefined
      return new RerankError.PayloadLimitError({
        ...fields,
        limit: Number(stated[2]),
        actual: context.documents,
        unit: "documents"
      })
    }
  }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the base URL from `TEI_BASE_URL` and the key,
 * when the server was started with one, from `TEI_API_KEY`.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["TEI_API_KEY"],
  keyRequired: false,
  keyName: "the key the TEI server was started with",
  baseUrl: "TEI_BASE_URL"
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
