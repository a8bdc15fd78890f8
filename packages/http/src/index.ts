/**
 * @since 0.1.0
 */

/**
 * Cohere's Rerank API (v2, v1 and compatible servers) as a `Reranker` layer.
 *
 * @since 0.1.0
 */
export * as Cohere from "./Cohere.js"

/**
 * The default retry schedule and its options.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"
