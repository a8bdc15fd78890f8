/**
 * Every HTTP provider of this package, by name: its protocol (the client's half), where its `layerConfig` reads the
 * key and the base URL, and its constructors. Everything that lists providers is derived from it: the server's
 * routes and its 404 text, the CLI's `--provider` and `--upstream` choices and their help, the table in
 * docs/providers.md. Adding a provider is its module and one line here.
 *
 * @since 0.2.0
 */
import type { Reranker } from "@effect-rerank/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import type * as Layer from "effect/Layer"
import * as Bedrock from "./Bedrock.js"
import * as Cohere from "./Cohere.js"
import type * as HttpProvider from "./HttpProvider.js"
import * as Jina from "./Jina.js"
import * as Contextual from "./Contextual.js"
import * as Mixedbread from "./Mixedbread.js"
import * as Nim from "./Nim.js"
import * as OpenRouter from "./OpenRouter.js"
import * as Pinecone from "./Pinecone.js"
import * as Tei from "./Tei.js"
import * as Together from "./Together.js"
import * as Vllm from "./Vllm.js"
import * as Vertex from "./Vertex.js"
import * as Voyage from "./Voyage.js"
import * as ZeroEntropy from "./ZeroEntropy.js"

/**
 * One provider as the tools see it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Entry {
  /** `--provider <name>`, the server's route prefix `/<name>`, the name in messages. */
  readonly name: string
  /** As people write it: "Cohere", "vLLM". */
  readonly title: string
  readonly protocol: HttpProvider.WireProtocol<any>
  /** Where `layerConfig` reads the key and the base URL. */
  readonly variables: HttpProvider.Variables
  /** Options read from other variables (Bedrock's region and credentials), by option name. */
  readonly environment: Readonly<Record<string, string>>
  /**
   * The models it publishes (any other name is still sent as given). Empty for a self-hosted server, which serves
   * the one model it was started with.
   */
  readonly models: ReadonlyArray<string>
  /** The `Reranker` with every option a `Config` (the CLI passes its flags so). */
  readonly layerConfig: (
    options?: any
  ) => Layer.Layer<Reranker.Reranker, ConfigError.ConfigError, HttpClient.HttpClient>
}

/**
 * An entry from a provider module (its `protocol`, `variables`, `layerConfig` and, where it publishes them, `models`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const entry = (
  name: string,
  title: string,
  module: Pick<Entry, "protocol" | "variables" | "layerConfig"> & { readonly models?: ReadonlyArray<string> },
  environment: Readonly<Record<string, string>> = {}
): Entry => ({
  name,
  title,
  protocol: module.protocol,
  variables: module.variables,
  environment,
  models: module.models ?? [],
  layerConfig: module.layerConfig
})

/**
 * The providers of this package, in the order the tools list them.
 *
 * @since 0.2.0
 * @category constants
 */
export const providers: ReadonlyArray<Entry> = [
  entry("cohere", "Cohere", Cohere),
  entry("jina", "Jina", Jina),
  entry("voyage", "Voyage", Voyage),
  entry("mixedbread", "Mixedbread", Mixedbread),
  entry("pinecone", "Pinecone", Pinecone),
  entry("together", "Together", Together),
  entry("tei", "TEI", Tei),
  entry("vllm", "vLLM", Vllm),
  entry("bedrock", "Bedrock", Bedrock, {
    region: "AWS_REGION (or AWS_DEFAULT_REGION)",
    credentials: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
  }),
  entry("nim", "NVIDIA NIM", Nim),
  entry("vertex", "Vertex AI", Vertex, {
    project: "GOOGLE_CLOUD_PROJECT",
    location: "GOOGLE_CLOUD_LOCATION",
    credentials: "GOOGLE_APPLICATION_CREDENTIALS"
  }),
  entry("zeroentropy", "ZeroEntropy", ZeroEntropy),
  entry("contextual", "Contextual AI", Contextual),
  entry("openrouter", "OpenRouter", OpenRouter)
]

/**
 * The variable (or flag) that sets each option of a provider from the environment: `apiKey`, `baseUrl`, and its
 * own (Bedrock's `region`, `credentials`).
 *
 * @since 0.2.0
 * @category utils
 */
export const environmentOf = (provider: Entry): Readonly<Record<string, string>> => {
  const [first, ...others] = provider.variables.key
  return {
    apiKey: others.length === 0 ? first : `${first} (or ${others.join(", ")})`,
    ...(provider.variables.baseUrl === undefined ? {} : { baseUrl: provider.variables.baseUrl }),
    ...provider.environment
  }
}

/**
 * What a user of the tools must set for a provider, in a few words: `JINA_API_KEY`, `TEI_BASE_URL`, ...
 *
 * @since 0.2.0
 * @category utils
 */
export const requirements = (provider: Entry): string => {
  const environment = environmentOf(provider)
  const needed: Array<string> = []
  if (provider.environment.region !== undefined) needed.push(environment.region)
  if (provider.environment.project !== undefined) needed.push(environment.project)
  if (provider.protocol.defaults.baseUrl === undefined && environment.baseUrl !== undefined) {
    needed.push(environment.baseUrl)
  }
  if (provider.variables.keyRequired) needed.push(environment.apiKey)
  if (provider.environment.credentials !== undefined)
    needed.push(`${environment.credentials} (or ${environment.apiKey})`)
  // A hosted API whose key is optional only for a server of one's own (NVIDIA NIM).
  if (needed.length === 0 && provider.protocol.defaults.baseUrl !== undefined && environment.baseUrl !== undefined)
    needed.push(`${environment.apiKey}, or ${environment.baseUrl} for your own server`)
  return needed.join(", ")
}
