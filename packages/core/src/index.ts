/**
 * @since 0.2.0
 */

/**
 * Splitting large candidate sets into windows and merging their rankings.
 *
 * @since 0.2.0
 */
export * as Batching from "./Batching.js"

/**
 * The typed failures of a rerank call.
 *
 * @since 0.2.0
 */
export * as RerankError from "./RerankError.js"

/**
 * The `Reranker` service, its constructor from a provider, the test layers and fallback.
 *
 * @since 0.2.0
 */
export * as Reranker from "./Reranker.js"

/**
 * The request model and its validation.
 *
 * @since 0.2.0
 */
export * as RerankRequest from "./RerankRequest.js"

/**
 * The result model.
 *
 * @since 0.2.0
 */
export * as RerankResult from "./RerankResult.js"

/**
 * The default retry schedule and its options, driven by `Reranker.make` for every provider.
 *
 * @since 0.2.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * A provider key's quota, paced before every attempt and shared through a Redis store.
 *
 * @since 0.2.0
 */
export * as Quota from "./Quota.js"

/**
 * Scores already paid for, remembered per document; shared through Redis.
 *
 * @since 0.2.0
 */
export * as ScoreCache from "./ScoreCache.js"

/**
 * The provider contract (version 2): what a backend gives the core, its limits per model and its identity.
 *
 * @since 0.2.0
 */
export * as Provider from "./Provider.js"

/**
 * The observer of every call's windows and retries.
 *
 * @since 0.2.0
 */
export * as Progress from "./Progress.js"

/**
 * The schemas every layer's options are checked with, and the one decoder to `ConfigError`.
 *
 * @since 0.2.0
 */
export * as OptionSchema from "./OptionSchema.js"

/**
 * What every reranker records as Effect `Metric`s, named after OpenTelemetry's GenAI conventions.
 *
 * @since 0.2.0
 */
export * as RerankMetrics from "./RerankMetrics.js"

/**
 * One usage and cost model: what a call was billed in its provider's unit, and its cost in USD.
 *
 * @since 0.2.0
 */
export * as Billing from "./Billing.js"

/**
 * Long documents split into chunks, scored, and aggregated per document.
 *
 * @since 0.2.0
 */
export * as Chunking from "./Chunking.js"

/**
 * Structured documents: the fields a model reads, encoded per provider.
 *
 * @since 0.2.0
 */
export * as Fields from "./Fields.js"
