/**
 * The provider contract, version 2: what a reranking backend gives the core, and nothing more. A provider says how
 * one window of documents becomes one attempt (`prepare`, once per window, may refuse before anything is sent;
 * `rerankWindow` is the attempt, run again for each retry), its limits per model, and its identity (endpoint, key
 * fingerprint, scoring options), from which the score cache's scope and the quota's name are derived. Everything a
 * user relies on (validation, windows, retries, timeouts, merge, cache, quota, spans) is `Reranker.make`'s, the same
 * for every provider.
 *
 * @since 0.2.0
 */
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type * as Batching from "./Batching.js"
import type * as Billing from "./Billing.js"
import type * as Fields from "./Fields.js"
import * as Hash from "./internal/hash.js"
import type { RerankError } from "./RerankError.js"
import type * as RerankResult from "./RerankResult.js"

/**
 * The contract's version, carried by every provider so that a core can tell what it is given.
 *
 * @since 0.2.0
 * @category constants
 */
export const specificationVersion = "v2" as const

/**
 * One provider request: a slice of the caller's documents, already turned into text.
 *
 * @since 0.2.0
 * @category models
 */
export interface WindowRequest {
  readonly query: string
  readonly documents: ReadonlyArray<string>
  /** The model the call names (the request's own, else the provider's default). */
  readonly model: string
  /**
   * Set when only the best N of this window can reach the merged answer; a provider may return just those. Never
   * set when the score cache is on: then every score of the window is wanted.
   */
  readonly topN: Option.Option<number>
  /** An instruction for a provider that takes one in its own field (`instructionFor` says `field`). */
  readonly instruction?: string | undefined
  /**
   * With `fields` on a call, for a provider with native rank fields (`fields.native`): each document's fields as a
   * flat record, beside its text (`documents`, their `name: value` encoding, which the cache keys on).
   */
  readonly records?: ReadonlyArray<Readonly<Record<string, unknown>>> | undefined
}

/**
 * What a provider returns for one window. `results[i].index` is a position inside the window; the core checks that
 * every index is in range and seen once, and every score finite.
 *
 * @since 0.2.0
 * @category models
 */
export interface WindowResponse {
  readonly results: ReadonlyArray<Batching.Scored>
  /** Billed units the provider reported for this window (Cohere's search units); absent counts as 0. */
  readonly searchUnits?: number | undefined
  /**
   * What this window was billed, in the provider's unit; when absent, `searchUnits` (if given) counts as reported
   * search units.
   */
  readonly billed?: Billing.Billed | undefined
  /**
   * What this window cost in USD, where the provider reports it (OpenRouter's `usage.cost`): when every window of a
   * call reports one, their sum is the call's `usage.cost`, whatever the price table says.
   */
  readonly cost?: number | undefined
  readonly warnings?: ReadonlyArray<string> | undefined
}

/**
 * Who answers, beside the system and the model: two providers that differ in any of these never share a cached
 * score, and those with the same system, host and key share one quota.
 *
 * @since 0.2.0
 * @category models
 */
export interface Identity {
  /** The endpoint's URL (origin, path and query). Absent for a provider that runs in-process. */
  readonly endpoint?: string | undefined
  /** `fingerprint(key)` of the key it sends, never the key itself. Absent without a key. */
  readonly key?: string | undefined
  /** What besides the model changes a score (truncation, raw logits, corpus statistics): any JSON value. */
  readonly scoring?: unknown
}

/**
 * Turns one window into what an attempt sends, once per window: `Left` refuses it before anything is sent (a body
 * over a size cap), which counts no attempt and is never retried.
 *
 * @since 0.2.0
 * @category models
 */
export type Prepare<Prepared> = (request: WindowRequest) => Either.Either<Prepared, RerankError>

interface Contract<Prepared> {
  /** The contract this provider is written against. */
  readonly specificationVersion: typeof specificationVersion
  /** `gen_ai.system` on spans, e.g. `"cohere"`. */
  readonly system: string
  /** Used when a request names no model. */
  readonly model: string
  /** The window size when the caller sets none and `maxDocumentsFor` knows nothing of the model. Default 1,000. */
  readonly maxDocumentsPerRequest?: number | undefined
  /**
   * A limit the provider publishes for a model (Pinecone's 100 for bge-reranker-v2-m3), or undefined. A call's
   * windows never hold more than the limit of the model it names, whatever `maxDocumentsPerRequest` says.
   */
  readonly maxDocumentsFor?: ((model: string) => number | undefined) | undefined
  /** The provider's default per-attempt timeout, when it should differ from 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Provider-specific advice for an error (which variable holds the key, what the base URL should look like), added
   * to its message as `hint`. The core's own messages name no vendor.
   */
  readonly hint?: ((error: RerankError) => string | undefined) | undefined
  /**
   * True when each document is scored alone against the query (a cross-encoder), so its scores can be cached
   * document by document (the `cache` option). Default false.
   */
  readonly pointwise?: boolean | undefined
  readonly identity?: Identity | undefined
  /**
   * How a model takes an instruction: in the request's own field (`WindowRequest.instruction`), or written into the
   * query text in the format its documentation gives; `undefined` when it documents neither (an instruction is then
   * refused unless the caller sets `instructionMode: "prepend"`).
   */
  readonly instructionFor?:
    | ((
        model: string
      ) =>
        | { readonly kind: "field" }
        | { readonly kind: "query"; readonly format: (instruction: string, query: string) => string }
        | undefined)
    | undefined
  /**
   * How it takes structured documents (a call's `fields`): `encode` writes a document's fields as the text it reads
   * (default `name: value` lines; YAML for Cohere v2); `native` sends them as records too (`WindowRequest.records`),
   * for its own rank fields.
   */
  readonly fields?:
    | {
        readonly encode?: ((picked: ReadonlyArray<Fields.Picked>) => string) | undefined
        readonly native?: boolean | undefined
      }
    | undefined
  /** What its scores are, for a model (`RerankResult.scoreKind`). Default `unbounded`: the model's own scale. */
  readonly scoreKind?: RerankResult.ScoreKind | ((model: string) => RerankResult.ScoreKind) | undefined
  /** The provider's default prices by model (the caller's `prices` option comes first), for `usage.cost`. */
  readonly prices?: Billing.Prices | undefined
  /** One attempt at scoring one prepared window; the core runs it again for each retry. */
  readonly rerankWindow: (prepared: Prepared) => Effect.Effect<WindowResponse, RerankError>
}

/**
 * A reranking backend. `prepare` may be left out when an attempt needs nothing but the window itself.
 *
 * @example
 * ```ts
 * import { Provider } from "@effect-rerank/core"
 * import { Effect } from "effect"
 *
 * const byLength: Provider.Provider = {
 *   specificationVersion: "v2",
 *   system: "by-length",
 *   model: "length-v1",
 *   maxDocumentsPerRequest: 100,
 *   rerankWindow: ({ documents }) =>
 *     Effect.succeed({ results: documents.map((text, index) => ({ index, score: 1 / text.length })) })
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Provider<Prepared = WindowRequest> = Contract<Prepared> &
  ([WindowRequest] extends [Prepared]
    ? { readonly prepare?: Prepare<Prepared> | undefined }
    : { readonly prepare: Prepare<Prepared> })

/**
 * The window size when neither the caller nor the provider gives one.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMaxDocuments = 1000

const positiveInteger = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 1

/**
 * Whether the core can run this provider: the contract's version, a system and a model, a sane default limit.
 *
 * @since 0.2.0
 * @category validation
 */
export const check = (provider: Provider<any>): Either.Either<void, ConfigError.ConfigError> => {
  const invalid = (field: string, reason: string) => Either.left(ConfigError.InvalidData([`provider.${field}`], reason))
  const version: unknown = provider.specificationVersion
  // A provider written before the contract had a version is read as v2: its shape is the same.
  if (version !== undefined && version !== specificationVersion) {
    return invalid("specificationVersion", `is ${String(version)}; this core runs providers of contract v2`)
  }
  if (typeof provider.system !== "string" || provider.system.trim() === "") return invalid("system", "is empty")
  if (typeof provider.model !== "string" || provider.model.trim() === "") return invalid("model", "is empty")
  if (provider.maxDocumentsPerRequest !== undefined && !positiveInteger(provider.maxDocumentsPerRequest)) {
    return invalid("maxDocumentsPerRequest", `must be an integer >= 1, got ${provider.maxDocumentsPerRequest}`)
  }
  return Either.void
}

/**
 * The most documents one request for `model` holds: the caller's bound (`chosen`), else the provider's published
 * limit for that model, else its default; never more than the model's published limit.
 *
 * @since 0.2.0
 * @category limits
 */
export const limitFor = (provider: Provider<any>, chosen: number | undefined, model: string): number => {
  const published = provider.maxDocumentsFor?.(model)
  const hard = positiveInteger(published) ? published : undefined
  const limit = chosen ?? hard ?? provider.maxDocumentsPerRequest ?? defaultMaxDocuments
  return hard === undefined ? limit : Math.min(limit, hard)
}

/**
 * A short, stable fingerprint of a key for `Identity.key`: the same key gives the same fingerprint, and the
 * fingerprint gives nothing of the key back.
 *
 * @since 0.2.0
 * @category identity
 */
export const fingerprint: (key: string) => string = Hash.fingerprint

/**
 * What the score cache keys a call's documents under: everything that can change a score (system, endpoint,
 * model, scoring options) and, unless the caller opts out with `shareAcrossKeys`, the key's fingerprint, so two
 * tenants never read each other's scores.
 *
 * @since 0.2.0
 * @category identity
 */
export interface Scope {
  readonly system: string
  readonly endpoint: string
  readonly model: string
  readonly scoring: string
  readonly key: string
}

/**
 * The cache scope of a call to `provider` naming `model`.
 *
 * @since 0.2.0
 * @category identity
 */
export const scopeOf = (provider: Provider<any>, model: string, shareAcrossKeys: boolean): Scope => {
  const identity = provider.identity ?? {}
  return {
    system: provider.system,
    endpoint: identity.endpoint ?? "",
    model,
    scoring: JSON.stringify(identity.scoring ?? null),
    key: shareAcrossKeys ? "" : (identity.key ?? "")
  }
}

const hostOf = (endpoint: string): string => {
  try {
    return new URL(endpoint).host
  } catch {
    return endpoint
  }
}

/**
 * The quota's name: the system, the endpoint's host and the key's fingerprint (`jina:api.jina.ai:Xy...`, or
 * `no-key`), so every process using one key at one service shares one budget; an in-process provider's is its
 * system.
 *
 * @since 0.2.0
 * @category identity
 */
export const quotaName = (provider: Provider<any>): string => {
  const identity = provider.identity ?? {}
  if (identity.endpoint === undefined) return provider.system
  return `${provider.system}:${hostOf(identity.endpoint)}:${identity.key ?? "no-key"}`
}

/**
 * How a test provider scores one (query, document text) pair: a number, or an effect, which may fail with a
 * `RerankError` to rehearse failures (retried by the same policy as any provider), or sleep to rehearse latency
 * under `TestClock`.
 *
 * @since 0.2.0
 * @category testing
 */
export type TestScore = (query: string, text: string) => number | Effect.Effect<number, RerankError>

/**
 * A provider scoring each (query, document text) pair with a function. It reports no billed units, and scores
 * each document alone (pointwise), so its scores can be cached.
 *
 * @since 0.2.0
 * @category testing
 */
export const testProvider = (score: TestScore, model = "test"): Provider => ({
  specificationVersion,
  system: "test",
  model,
  pointwise: true,
  rerankWindow: (request) =>
    Effect.map(
      Effect.forEach(request.documents, (text, index) => {
        const scored = score(request.query, text)
        return Effect.isEffect(scored)
          ? Effect.map(scored, (s) => ({ index, score: s }))
          : Effect.succeed({ index, score: scored })
      }),
      (results) => ({ results })
    )
})

/**
 * An instruction written into the query text: the instruction, a line break, the query. The form for a model that
 * reads instructions in its query (Voyage's rerank-2.5) and for `instructionMode: "prepend"`.
 *
 * @since 0.2.0
 * @category instructions
 */
export const prependInstruction = (instruction: string, query: string): string => `${instruction}\n${query}`
