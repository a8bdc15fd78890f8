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
 * Cohere's wire format as `Schema`s, shared by the client and the server.
 *
 * @since 0.2.0
 */
export * as CohereSchema from "./CohereSchema.js"
