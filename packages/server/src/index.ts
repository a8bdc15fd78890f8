/**
 * @since 0.2.0
 */

/**
 * Seeded, rule-based fault injection.
 *
 * @since 0.2.0
 */
export * as FaultInjection from "./FaultInjection.js"

/**
 * The Cohere-compatible rerank server.
 *
 * @since 0.2.0
 */
export * as RerankServer from "./RerankServer.js"

/**
 * The server on Node's HTTP server.
 *
 * @since 0.2.0
 */
export * as NodeServer from "./NodeServer.js"

/**
 * Redis-backed stores for the shared quota and score cache.
 *
 * @since 0.2.0
 */
export * as Stores from "./Stores.js"

/**
 * The server's half of a protocol: its paths, its key, its request and answer bodies.
 *
 * @since 0.2.0
 */
export * as ServerProtocol from "./ServerProtocol.js"

/**
 * Every protocol's server half by provider name, and the routes derived from the registry.
 *
 * @since 0.2.0
 */
export * as ServerProtocols from "./ServerProtocols.js"

/**
 * A gateway's upstream, asked for its own model names.
 *
 * @since 0.2.0
 */
export * as Gateway from "./Gateway.js"

/**
 * @since 0.2.0
 */
export * as ServerMetrics from "./ServerMetrics.js"

/**
 * @since 0.2.0
 */
export * as ServerStatus from "./ServerStatus.js"

/**
 * @since 0.2.0
 */
export * as Tracing from "./Tracing.js"
