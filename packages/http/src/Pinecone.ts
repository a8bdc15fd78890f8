/**
 * Pinecone Inference's Rerank API (`POST https://api.pinecone.io/rerank`) as a `Reranker`.
 *
 * Sources: Pinecone's API reference (docs.pinecone.io/reference/api/2025-04/inference/rerank: `Api-Key` header,
 * `X-Pinecone-API-Version`, `model`, `query`, `documents` as objects with `text` (and any other fields), `top_n`,
 * `return_documents` (default true server-side), `rank_fields`, `parameters.truncate`; the 200 example with
 * `data[].index`, `data[].score`, `data[].document`, `usage.rerank_units`), its published error body
 * `{"error": {"code": "INVALID_ARGUMENT", "message"}, "status": 400}` with gRPC-style codes, and the model guide's
 * per-model limits (bge-reranker-v2-m3 and pinecone-rerank-v0: 100 documents; cohere-rerank-3.5: 200). Scores are
 * normalized to [0, 1].
 *
 * @since 0.2.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as Wire from "./internal/wire.js"

/**
 * Pinecone's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = ["bge-reranker-v2-m3", "cohere-rerank-3.5", "pinecone-rerank-v0"] as const

/**
 * Pinecone's rerank models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category models
 */
export type Model = (typeof models)[number] | (string & {})

/**
 * Documents a request, per model, from Pinecone's model guide.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxDocumentsByModel: Readonly<Record<string, number>> = {
  "bge-reranker-v2-m3": 100,
  "pinecone-rerank-v0": 100,
  "cohere-rerank-3.5": 200
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  baseUrl: "https://api.pinecone.io",
  model: "bge-reranker-v2-m3",
  /** For models not in `maxDocumentsByModel`: the smallest published limit. */
  maxDocumentsPerRequest: 100,
  apiVersion: "2025-04"
} as const

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model?: Model | undefined
  /** Sent as `X-Pinecone-API-Version`. Default `"2025-04"`. */
  readonly apiVersion?: string | undefined
  /** `parameters.truncate`: `"END"` (the server's default) or `"NONE"` (an over-long input is an error). */
  readonly truncate?: "END" | "NONE" | undefined
  /** `return_documents` (Pinecone's default true). */
  readonly returnDocuments?: boolean | undefined
}

/**
 * `POST /rerank`.
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
  rankFields: Wire.optionalFrom(Schema.Array(Schema.String), "rank_fields"),
  parameters: Wire.nullable(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/**
 * The 200 body: results under `data`, each `score`; usage in rerank units.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  model: Wire.nullable(Schema.String),
  data: Schema.Array(
    Schema.Struct({ index: Schema.Number, score: Schema.Number, document: Wire.nullable(Schema.Unknown) })
  ),
  usage: Wire.nullable(
    Schema.Struct({ rerankUnits: Wire.nullable(Schema.Number).pipe(Schema.fromKey("rerank_units")) })
  )
})

/**
 * Pinecone's error body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ErrorBody = Schema.Struct({
  error: Wire.nullable(Schema.Struct({ code: Wire.nullable(Schema.String), message: Wire.nullable(Schema.String) })),
  status: Wire.nullable(Schema.Number)
})

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "pinecone",
  defaults,
  maxDocumentsFor: (model) => maxDocumentsByModel[model],
  path: () => "/rerank",
  keyAdvice: "Pinecone reads the key from PINECONE_API_KEY.",
  endpointAdvice: "A Pinecone endpoint answers POST /rerank (PINECONE_BASE_URL).",
  authorize: (apiKey) => (request) => HttpClientRequest.setHeader(request, "Api-Key", Redacted.value(apiKey)),
  headers: (options) => ({ "X-Pinecone-API-Version": options.apiVersion ?? defaults.apiVersion }),
  scoring: (options) => [options.truncate],
  encodeRequest: (request, options) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      documents: request.records ?? request.documents.map((text) => ({ text }))
    }
    if (request.records !== undefined) body.rank_fields = Wire.rankFieldsOf(request.records)
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.top_n = topN
    if (options.returnDocuments !== undefined) body.return_documents = options.returnDocuments
    if (options.truncate !== undefined) body.parameters = { truncate: options.truncate }
    return body
  },
  // Objects with `rank_fields`, which name top-level keys.
  fields: () => ({ native: true }),
  // Billed in rerank units (a request of up to 100 documents), as `usage.rerank_units` reports.
  billing: { unit: "rerankUnits", computed: Wire.perHundredDocuments },
  decodeResponse: Wire.responseDecoder(Response, (response) => ({
    results: response.data.map((r) => ({ index: r.index, score: r.score })),
    // Also as search units, for `usage.searchUnits` and the server's answers, as before `usage.billed`.
    searchUnits: response.usage?.rerankUnits ?? 0,
    ...Wire.reported("rerankUnits", response.usage?.rerankUnits)
  })),
  errors: {
    errorBody: (json) =>
      Option.match(decodeErrorBody(json), {
        onNone: () => Wire.openAiError(json),
        onSome: ({ error }) => ({ message: error?.message ?? undefined })
      })
  }
}

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)` with the key from `PINECONE_API_KEY` and the base
 * URL from `PINECONE_BASE_URL` unless given.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options> = HttpProvider.constructors(protocol, {
  key: ["PINECONE_API_KEY"],
  keyRequired: true,
  keyName: "a Pinecone API key",
  baseUrl: "PINECONE_BASE_URL"
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
