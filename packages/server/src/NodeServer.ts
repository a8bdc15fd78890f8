/**
 * The rerank server on Node's HTTP server, bound to 127.0.0.1 unless told otherwise.
 *
 * @since 0.2.0
 */
import type { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { NodeHttpServer } from "@effect/platform-node"
import type * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type { Server } from "node:http"
import * as Connections from "./internal/connections.js"
import * as NodeConnection from "./internal/nodeConnection.js"
import * as RerankServer from "./RerankServer.js"
import * as ServerStatus from "./ServerStatus.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends RerankServer.Options {
  /** Default 8080; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`: reachable from this machine only. */
  readonly host?: string | undefined
  /**
   * Most open connections. When reached, the connection that has waited longest without a request in progress is
   * closed to make room; when every one is serving a request, the newcomer is. Default 512 (below the common
   * `ulimit -n` of 1024, leaving descriptors for the upstream and Redis).
   */
  readonly maxConnections?: number | undefined
  /** Time for a client to send a request's headers; then 408 and the connection closed. Default 10 s. */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** Time for a client to send a whole request (headers and body); then 408. Default 30 s. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** How long an idle keep-alive connection is kept. Default 5 s. */
  readonly keepAliveTimeout?: Duration.DurationInput | undefined
  /**
   * On shutdown (the layer's scope closing: SIGTERM or SIGINT under `NodeRuntime.runMain`): stop accepting, answer
   * `/readyz` with 503, let requests in flight finish for up to this long, then close every connection. Default 10 s.
   */
  readonly drainTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.2.0
 * @category constants
 */
export const limits = {
  maxConnections: 512,
  headersTimeout: Duration.seconds(10),
  requestTimeout: Duration.seconds(30),
  keepAliveTimeout: Duration.seconds(5),
  drainTimeout: Duration.seconds(10)
} as const

/** Waits for the requests in flight to end, up to `timeout`, closing connections as they fall idle. */
const drain = (server: Server, status: ServerStatus.ServerStatus, timeout: Duration.Duration) =>
  Effect.gen(function* () {
    status.drain()
    // Stops accepting; idle keep-alive connections are closed now, the others once their request is answered.
    server.close()
    yield* Effect.logInfo("draining").pipe(Effect.annotateLogs({ in_flight: status.inFlight() }))
    const idle = Effect.sync(() => {
      server.closeIdleConnections()
      return status.inFlight() === 0
    })
    const drained = yield* idle.pipe(
      Effect.repeat({ until: (done) => done, schedule: Schedule.spaced("50 millis") }),
      // A finalizer runs uninterruptibly: the wait must be interruptible for the timeout to end it.
      Effect.interruptible,
      Effect.timeoutOption(timeout)
    )
    if (Option.isNone(drained)) {
      yield* Effect.logWarning("drain timed out").pipe(Effect.annotateLogs({ in_flight: status.inFlight() }))
    }
    server.closeAllConnections()
  })

/**
 * Serves the `Reranker` in context; the resulting layer also provides the `HttpServer` (for its address).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError, Reranker.Reranker> => {
  const status = options.status ?? ServerStatus.make()
  const server = Connections.make({
    maxConnections: options.maxConnections ?? limits.maxConnections,
    headersTimeout: Duration.decode(options.headersTimeout ?? limits.headersTimeout),
    requestTimeout: Duration.decode(options.requestTimeout ?? limits.requestTimeout),
    keepAliveTimeout: Duration.decode(options.keepAliveTimeout ?? limits.keepAliveTimeout)
  })
  // Built last, so released first: the drain runs while the app, the reranker and its stores are all still there.
  const drainOnClose = Layer.scopedDiscard(
    Effect.addFinalizer(() => drain(server, status, Duration.decode(options.drainTimeout ?? limits.drainTimeout)))
  )
  return drainOnClose.pipe(
    Layer.provideMerge(RerankServer.layer({ ...options, status, connection: NodeConnection.node })),
    Layer.provideMerge(
      NodeHttpServer.layer(() => server, {
        port: options.port ?? RerankServer.defaults.port,
        host: options.host ?? RerankServer.defaults.host
      })
    )
  )
}

/**
 * Like `layer`, configured from the environment: `RERANK_SERVER_API_KEY` (optional bearer key),
 * `RERANK_SERVER_PORT` (default 8080; 0 picks a free port) and `RERANK_SERVER_HOST` (default 127.0.0.1).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "port" | "host"> = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigError.ConfigError, Reranker.Reranker> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const apiKey = yield* Config.option(
        Config.redacted("RERANK_SERVER_API_KEY").pipe(
          // An empty key would start a server that rejects every request.
          Config.validate({ message: "must not be empty", validation: (key) => Redacted.value(key).trim() !== "" })
        )
      )
      // Not Config.port: 0 (any free port) is a useful value here.
      const port = yield* Config.integer("RERANK_SERVER_PORT").pipe(
        Config.validate({ message: "a port from 0 to 65535", validation: (n) => n >= 0 && n <= 65535 }),
        Config.withDefault(RerankServer.defaults.port)
      )
      const host = yield* Config.string("RERANK_SERVER_HOST").pipe(Config.withDefault(RerankServer.defaults.host))
      return layer({ ...options, apiKey: Option.getOrUndefined(apiKey), port, host })
    })
  )

/**
 * The server over the offline local reranker: a Cohere-compatible endpoint with no key and no network.
 *
 * @example
 * ```ts
 * import { NodeServer } from "@effect-rerank/server"
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * Layer.launch(NodeServer.layerLocal({ port: 8080 })).pipe(NodeRuntime.runMain)
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerLocal = (
  options: Options & { readonly local?: LocalReranker.Options | undefined } = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigError.ConfigError> =>
  layer(options).pipe(Layer.provide(LocalReranker.layer(options.local)))
