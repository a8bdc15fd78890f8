/**
 * @since 0.1.0
 */

/**
 * Seeded, rule-based fault injection.
 *
 * @since 0.1.0
 */
export * as FaultInjection from "./FaultInjection.js"

/**
 * The Cohere-compatible rerank server.
 *
 * @since 0.1.0
 */
export * as RerankServer from "./RerankServer.js"

/**
 * The server on Node's HTTP server.
 *
 * @since 0.1.0
 */
export * as NodeServer from "./NodeServer.js"

/**
 * Redis-backed stores for the shared quota and score cache.
 *
 * @since 0.3.0
 */
export * as Stores from "./Stores.js"
