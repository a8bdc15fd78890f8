/**
 * The providers the CLI can use (`query --provider`, `serve --upstream`): each HTTP provider configured from the
 * flags and its own environment variables, and the names a message should use for its options (the CLI's flag, or
 * the provider's own variable), so a configuration error never points at something a user of the CLI cannot set.
 *
 * @since 0.3.0
 */
import type { Batching, Quota, Reranker, ScoreCache } from "@effect-rerank/core"
import {
  Bedrock,
  Cohere,
  type HttpProvider,
  Jina,
  Mixedbread,
  Pinecone,
  Tei,
  Together,
  Vllm,
  Voyage
} from "@effect-rerank/http"
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
  readonly model?: Config.Config<string>
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

/**
 * A library option's name (its `ConfigError` path, or an `InvalidRequestError` field) as the CLI says it.
 *
 * @since 0.4.0
 * @category models
 */
export type Names = Readonly<Record<string, string>>

/** What the flags set, whichever provider. */
const flagNames: Names = {
  maxDocumentsPerRequest: "--batch-size",
  concurrency: "--concurrency",
  merge: "--merge",
  allowInsecureHttp: "--allow-insecure-http",
  model: "--model",
  topN: "--top-n",
  minScore: "--min-score"
}

const fromVariables = (variables: HttpProvider.Variables, extra: Names = {}): Names => ({
  ...flagNames,
  apiKey: variables.key[0],
  baseUrl: `--base-url (or ${variables.baseUrl})`,
  ...extra
})

/**
 * Each provider's names: the flags, then its own variables for the key and the base URL.
 *
 * @since 0.4.0
 * @category constants
 */
export const names: Record<"local" | "cohere" | HttpName, Names> = {
  local: flagNames,
  cohere: fromVariables(Cohere.variables, { apiVersion: "--api-version" }),
  jina: fromVariables(Jina.variables),
  voyage: fromVariables(Voyage.variables),
  mixedbread: fromVariables(Mixedbread.variables),
  pinecone: fromVariables(Pinecone.variables),
  together: fromVariables(Together.variables),
  tei: fromVariables(Tei.variables),
  vllm: fromVariables(Vllm.variables),
  bedrock: {
    ...flagNames,
    apiKey: "AWS_BEARER_TOKEN_BEDROCK",
    credentials: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    region: "AWS_REGION",
    baseUrl: "--base-url"
  }
}
