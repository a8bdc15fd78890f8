/**
 * The HTTP providers the CLI can use beside Cohere and the local reranker (`query --provider`, `serve --upstream`),
 * each configured from the flags and its own environment variables.
 *
 * @since 0.3.0
 */
import type { Batching, Quota, Reranker, ScoreCache } from "@effect-rerank/core"
import { Bedrock, Jina, Mixedbread, Pinecone, Tei, Together, Vllm, Voyage } from "@effect-rerank/http"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"

/**
 * What every HTTP provider's `layerConfig` takes from the flags.
 *
 * @since 0.3.0
 * @category models
 */
export interface Flags {
  readonly maxDocumentsPerRequest?: Config.Config<number>
  readonly concurrency: Config.Config<number>
  readonly merge: Config.Config<Batching.Merge>
  readonly allowInsecureHttp: Config.Config<boolean>
  readonly baseUrl?: Config.Config<string>
  readonly rateLimit?: Config.Config<Quota.Options>
  readonly cache?: Config.Config<ScoreCache.Options>
}

/**
 * @since 0.3.0
 * @category models
 */
export type HttpName = "jina" | "voyage" | "mixedbread" | "pinecone" | "together" | "tei" | "vllm" | "bedrock"

/**
 * @since 0.3.0
 * @category constants
 */
export const http: Record<
  HttpName,
  (flags: Flags) => Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient>
> = {
  jina: (flags: Flags) => Jina.layerConfig(flags),
  voyage: (flags: Flags) => Voyage.layerConfig(flags),
  mixedbread: (flags: Flags) => Mixedbread.layerConfig(flags),
  pinecone: (flags: Flags) => Pinecone.layerConfig(flags),
  together: (flags: Flags) => Together.layerConfig(flags),
  tei: (flags: Flags) => Tei.layerConfig(flags),
  vllm: (flags: Flags) => Vllm.layerConfig(flags),
  bedrock: (flags: Flags) => Bedrock.layerConfig(flags)
}

/**
 * @since 0.3.0
 * @category constants
 */
export const httpNames = Object.keys(http) as ReadonlyArray<HttpName>
