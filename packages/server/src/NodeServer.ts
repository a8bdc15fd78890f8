/**
 * The rerank server on Node's HTTP server, bound to 127.0.0.1 unless told otherwise.
 *
 * @since 0.1.0
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
import { createServer } from "node:http"
import * as RerankServer from "./RerankServer.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends RerankServer.Options {
  /** Default 8080; 0 picks a free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`: reachable from this machine only. */
  readonly host?: string | undefined
}

/**
 * Serves the `Reranker` in context; the resulting layer also provides the `HttpServer` (for its address).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError, Reranker.Reranker> =>
  RerankServer.layer(options).pipe(
    Layer.provideMerge(
      NodeHttpServer.layer(createServer, {
        port: options.port ?? RerankServer.defaults.port,
        host: options.host ?? RerankServer.defaults.host
      })
    )
  )

/**
 * Like `layer`, configured from the environment: `RERANK_SERVER_API_KEY` (optional bearer key),
 * `RERANK_SERVER_PORT` (default 8080; 0 picks a free port) and `RERANK_SERVER_HOST` (default 127.0.0.1).
 *
 * @since 0.1.0
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
 * @since 0.1.0
 * @category layers
 */
export const layerLocal = (
  options: Options & { readonly local?: LocalReranker.Options | undefined } = {}
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError | ConfigError.ConfigError> =>
  layer(options).pipe(Layer.provide(LocalReranker.layer(options.local)))
