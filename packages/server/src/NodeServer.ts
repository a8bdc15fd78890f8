/**
 * The rerank server on Node's HTTP server, bound to 127.0.0.1 unless told otherwise.
 *
 * @since 0.1.0
 */
import type { Reranker } from "@effect-rerank/core"
import { NodeHttpServer } from "@effect/platform-node"
import type * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Layer from "effect/Layer"
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
