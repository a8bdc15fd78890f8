/**
 * The `Reranker` service: reorder candidate documents by relevance to a query. A provider (Cohere over HTTP, the
 * local lexical reranker, the test layer, your own: see `Provider`) supplies only how one window of documents is
 * scored, in one attempt; `make` adds everything a user relies on, identical for every provider: validation, the
 * empty case, windows sized for the model a call names with bounded concurrency, the retry policy, the per-attempt
 * and total timeouts, attempt counting, the quota, the score cache, merging, `minScore` / `topN`, deterministic
 * ties, usage and the span. Also here: the test layers and `fallback`.
 *
 * @since 0.2.0
 */
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Batching from "./Batching.js"
import type * as Billing from "./Billing.js"
import type * as Chunking from "./Chunking.js"
import * as Cache from "./internal/cache.js"
import * as Engine from "./internal/engine.js"
import * as Fallback from "./internal/fallback.js"
import * as Settings from "./internal/settings.js"
import * as ProgressModule from "./Progress.js"
import * as ProviderModule from "./Provider.js"
import * as Quota from "./Quota.js"
import type { RerankError } from "./RerankError.js"
import type * as RerankRequest from "./RerankRequest.js"
import type * as RerankResult from "./RerankResult.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as ScoreCache from "./ScoreCache.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Service {
  readonly rerank: <A>(
    request: RerankRequest.RerankRequest<A>
  ) => Effect.Effect<RerankResult.RerankResult<A>, RerankError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class Reranker extends Context.Tag("@effect-rerank/core/Reranker")<Reranker, Service>() {}

/**
 * Reranks with the `Reranker` in context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const rerank = <A>(
  request: RerankRequest.RerankRequest<A>
): Effect.Effect<RerankResult.RerankResult<A>, RerankError, Reranker> =>
  Effect.flatMap(Reranker, (reranker) => reranker.rerank(request))

/**
 * The observer of every call's windows and retries (`Progress.Progress`), here under its old name.
 *
 * @since 0.2.0
 * @category progress
 */
export const Progress = ProgressModule.Progress

/**
 * @since 0.2.0
 * @category progress
 */
export type Progress = ProgressModule.Progress

/**
 * The provider contract (`Provider.Provider`), here under its fixed name.
 *
 * @since 0.2.0
 * @category providers
 */
export type Provider<Prepared = ProviderModule.WindowRequest> = ProviderModule.Provider<Prepared>

/**
 * @since 0.2.0
 * @category providers
 */
export type WindowRequest = ProviderModule.WindowRequest

/**
 * @since 0.2.0
 * @category providers
 */
export type WindowResponse = ProviderModule.WindowResponse

/**
 * What every provider accepts: batching, retries, timeouts, the quota and the cache. Checked when the service is
 * built; a bad value is a `ConfigError` naming the option.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Batching.Options {
  /** Limit on each attempt; a late attempt fails with `TimeoutError` `scope: "attempt"` (retried). Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Limit on the whole call, all windows and retries included; fails with `TimeoutError` `scope: "total"`. */
  readonly totalTimeout?: Duration.DurationInput | undefined
  /** The default policy's options, or a `Schedule` that replaces the policy wholesale. */
  readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, RerankError> | undefined
  /**
   * Pace every attempt to a quota (`{ limit, window }`), shared by every process when a Redis `RateLimiterStore` is
   * provided (see `Quota`; needs `@effect/experimental`). A 429 that still comes back is handled as always.
   */
  readonly rateLimit?: Quota.Options | undefined
  /**
   * Remember scores and send only the documents not seen before (see `ScoreCache`): `true` or `{ ttl,
   * shareAcrossKeys }`. In memory unless a `ScoreCache.ScoreCacheStore` is provided. Needs a pointwise provider and
   * `merge: "score"`; with it, every window asks for all its scores and `topN` applies after the merge.
   */
  readonly cache?: ScoreCache.Options | boolean | undefined
  /**
   * Prices by model (`"*"` for any), giving `usage.cost` in USD from `usage.billed`; before the provider's own
   * defaults. A price in another unit than the provider bills gives no cost and a warning.
   */
  readonly prices?: Billing.Prices | undefined
  /**
   * Split long documents into chunks, score the chunks and aggregate them per document (`Chunking`); a call's own
   * `chunk` replaces this one, `false` turns it off.
   */
  readonly chunk?: Chunking.Options | undefined
  /** An instruction for every call (a call's own replaces it); see `RerankRequest.instruction`. */
  readonly instruction?: string | undefined
  /**
   * `"native"` (default): an instruction goes where the model documents it, and is refused where it documents
   * nothing. `"prepend"`: always written into the query text (the instruction, a line break, the query).
   */
  readonly instructionMode?: "native" | "prepend" | undefined
}

/**
 * Said on a result when the cache's store could not be reached: the call went to the provider in full (a lookup)
 * or its scores were not kept (a write). Never a wrong answer.
 *
 * @since 0.2.0
 * @category constants
 */
export const cacheUnavailableWarning: string = Cache.unavailableWarning

/**
 * Builds the service from a provider. Options that make no sense fail here with a `ConfigError` naming the option,
 * the same for every provider.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <Prepared = ProviderModule.WindowRequest>(
  provider: ProviderModule.Provider<Prepared>,
  options: Options = {}
): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    yield* ProviderModule.check(provider)
    const settings = yield* Settings.resolve(options, provider.timeout)
    const pace =
      options.rateLimit === undefined
        ? undefined
        : yield* Quota.make(yield* Quota.validate(options.rateLimit), ProviderModule.quotaName(provider))
    const cache =
      options.cache === undefined || options.cache === false
        ? undefined
        : yield* Cache.make(provider, settings.batching.merge, options.cache === true ? {} : options.cache)
    return { rerank: Engine.rerank({ provider, settings, pace, cache }) }
  })

/**
 * @since 0.2.0
 * @category layers
 */
export const layer = <Prepared = ProviderModule.WindowRequest>(
  provider: ProviderModule.Provider<Prepared>,
  options?: Options
): Layer.Layer<Reranker, ConfigError.ConfigError> => Layer.effect(Reranker, make(provider, options))

/**
 * How a test reranker scores one (query, document text) pair (`Provider.TestScore`).
 *
 * @since 0.2.0
 * @category testing
 */
export type TestScore = ProviderModule.TestScore

/**
 * A provider scoring each (query, document text) pair with a function (`Provider.testProvider`).
 *
 * @since 0.2.0
 * @category testing
 */
export const testProvider = ProviderModule.testProvider

/**
 * A `Reranker` scoring each (query, document text) pair with a function: for testing pipelines without a
 * network. It goes through the same validation, retries, timeouts, batching, merging and cache as every provider.
 *
 * @since 0.2.0
 * @category testing
 */
export const makeTest = (
  score: TestScore,
  options: Options & { readonly model?: string } = {}
): Effect.Effect<Service, ConfigError.ConfigError> => make(testProvider(score, options.model), options)

/**
 * `makeTest` as a layer.
 *
 * @example
 * ```ts
 * import { Reranker, RerankError } from "@effect-rerank/core"
 * import { Effect, Option } from "effect"
 *
 * const TestReranker = Reranker.layerTest((query, text) => (text.includes(query) ? 1 : 0))
 * const RateLimited = Reranker.layerTest(() =>
 *   Effect.fail(new RerankError.RateLimitError({ retryAfter: Option.none(), status: 429 }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category testing
 */
export const layerTest = (
  score: TestScore,
  options?: Options & { readonly model?: string }
): Layer.Layer<Reranker, ConfigError.ConfigError> => Layer.effect(Reranker, makeTest(score, options))

/**
 * @since 0.2.0
 * @category models
 */
export interface FallbackOptions {
  /**
   * The error kinds, by tag, on which the next reranker takes the call, once the failing one's own retries are
   * spent. Default: `RateLimitError`, `ServiceError`, `TransportError`, `TimeoutError` (the provider is busy or
   * down). An error of any other kind (a bad request, a bad key) fails the call at once: the next provider would
   * only repeat it, or hide a configuration mistake.
   */
  readonly on?: ReadonlyArray<RerankError["_tag"]> | undefined
  /**
   * When every reranker failed with such an error: succeed with the documents in their input order (scores 0,
   * `topN` applied, `minScore` not) and a warning naming the errors, instead of failing. Default false.
   */
  readonly failOpen?: boolean | undefined
}

/**
 * Rerankers in order of preference as one: the first answers unless it fails (after its own retries) with an error
 * of a kind named in `on`; then the next takes the call, and so on. The result's `model` is the answering
 * reranker's, and a warning says which ones failed before it. Each try is its own `Reranker.rerank` span under a
 * `Reranker.fallback` span; interrupting the call interrupts the try in flight and starts no other.
 *
 * @example
 * ```ts
 * import { Reranker } from "@effect-rerank/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const primary = yield* Reranker.makeTest(() => 1, { model: "primary" })
 *   const secondary = yield* Reranker.makeTest(() => 0.5, { model: "secondary" })
 *   return Reranker.fallback([primary, secondary], { failOpen: true })
 * })
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const fallback = (rerankers: readonly [Service, ...Array<Service>], options: FallbackOptions = {}): Service => ({
  rerank: Fallback.make(rerankers, options)
})

/**
 * `fallback` over layers: each layer is built on its own (they all provide `Reranker`), then chained in order.
 *
 * @example
 * ```ts
 * import { Reranker } from "@effect-rerank/core"
 *
 * const Chain = Reranker.layerFallback([
 *   Reranker.layerTest(() => 1, { model: "primary" }),
 *   Reranker.layerTest(() => 0.5, { model: "secondary" })
 * ])
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFallback = <E, R>(
  layers: readonly [Layer.Layer<Reranker, E, R>, ...Array<Layer.Layer<Reranker, E, R>>],
  options?: FallbackOptions
): Layer.Layer<Reranker, E, R> =>
  Layer.scoped(
    Reranker,
    Effect.map(
      Effect.forEach(layers, (layer) => Effect.map(Layer.build(layer), Context.get(Reranker))),
      (services) => fallback(services as unknown as readonly [Service, ...Array<Service>], options)
    )
  )
