/**
 * A Cohere-compatible rerank server over any `Reranker` (the local one by default): `POST /v1/rerank` and
 * `POST /v2/rerank` with Cohere's request fields, response shape and error bodies, an optional bearer key, a body
 * size limit, and seeded fault injection. Point any client written for Cohere's API at it, unchanged.
 *
 * @since 0.1.0
 */
import { Quota, Reranker, type RerankError } from "@effect-rerank/core"
import { CohereSchema } from "@effect-rerank/http"
import { NodeHttpServerRequest } from "@effect/platform-node"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { timingSafeEqual } from "node:crypto"
import * as FaultInjection from "./FaultInjection.js"
import * as Gateway from "./Gateway.js"
import * as Body from "./internal/body.js"
import type * as ServerProtocol from "./ServerProtocol.js"
import * as ServerProtocols from "./ServerProtocols.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** When set, requests must carry `Authorization: Bearer <key>`; others get 401 `invalid api token`. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** Largest request body accepted; larger gets 413. Default 10 MiB. */
  readonly maxBodyBytes?: number | undefined
  readonly faults?: FaultInjection.Options | undefined
  /** The protocols served. Default: every provider of `@effect-rerank/http`'s `Registry` (`ServerProtocols.routes`). */
  readonly routes?: ReadonlyArray<ServerProtocols.Route> | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaults = { maxBodyBytes: 10 * 1024 * 1024, port: 8080, host: "127.0.0.1" } as const

const cohereError = (status: number, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ id: crypto.randomUUID(), message }, { status, headers })

/**
 * A failed rerank as the status and message a Cohere client expects, chosen so that our own client reads it back
 * as the same error (the client's table is `@effect-rerank/http`'s `responseError.ts`): a payload limit is a 413
 * naming its unit, a rate limit a 429 with `Retry-After`, the upstream refusing the server's own key a 502. Failures
 * that only a client can have (an upstream timeout, no connection, an unreadable answer) are the gateway's 504 and
 * 502, which a client reads as a retryable `ServiceError`.
 *
 * @since 0.2.0
 * @category errors
 */
export const errorResponse = (
  error: RerankError.RerankError
): { readonly status: number; readonly message: string; readonly headers: Record<string, string> } => {
  const none = {}
  switch (error._tag) {
    case "InvalidRequestError":
      return {
        status: 400,
        message: `invalid request: ${error.field === undefined ? "" : `${error.field}: `}${error.reason}`,
        headers: none
      }
    case "PayloadLimitError":
      return error.unit === "chunks"
        ? {
            status: 400,
            message: `invalid request: ${CohereSchema.chunkLimitMessage(error.limit)}`,
            headers: none
          }
        : { status: 413, message: `request too large: limit is ${error.limit} ${error.unit}`, headers: none }
    case "RateLimitError":
      return {
        status: 429,
        message: "too many requests",
        headers: Option.match(error.retryAfter, {
          onNone: () => none,
          onSome: (d) => ({ "retry-after": String(Math.ceil(Duration.toSeconds(d))) })
        })
      }
    case "AuthenticationError":
      // The reranker behind the server refused the server's own credentials (a gateway's upstream key): the
      // caller's key was fine (a wrong one is refused before, with 401), so this is the gateway's failure.
      return { status: 502, message: `${Gateway.upstreamCredentialsRefused} (${error.reason})`, headers: none }
    case "ServiceError":
      return {
        status: error.status !== undefined && error.status >= 499 && error.status <= 599 ? error.status : 500,
        message: "internal server error",
        headers: none
      }
    case "TimeoutError":
      return { status: 504, message: "upstream timed out", headers: none }
    case "TransportError":
      // Fail-closed pacing (`--redis-required`) while the quota's store is down: try again shortly.
      return error.reason.startsWith(Quota.storeUnavailable)
        ? {
            status: 503,
            message: "service unavailable: the shared quota's store cannot be reached, so no call is paced",
            headers: { "retry-after": String(quotaRetryAfterSeconds) }
          }
        : { status: 502, message: "bad gateway: the upstream reranker failed", headers: none }
    case "ResponseDecodeError":
      return { status: 502, message: "bad gateway: the upstream reranker failed", headers: none }
  }
}

/** When a call refused for want of the quota's store may come back. */
const quotaRetryAfterSeconds = 5

const sameKey = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const bearer = (header: string | undefined): string | undefined => {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header)
  return match === null ? undefined : match[1].trim()
}

/**
 * Breaks the connection the way a failing network does: after sending the headers and the first half of `body`
 * (a truncated answer), or before anything (a reset). Node-specific by nature: it reaches for the socket.
 */
const breakConnection = (request: HttpServerRequest.HttpServerRequest, body: string | undefined) => {
  const response = NodeHttpServerRequest.toServerResponse(request)
  if (body !== undefined) {
    const bytes = Buffer.from(body)
    response.writeHead(200, { "content-type": "application/json", "content-length": String(bytes.length) })
    response.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
  }
  response.socket?.destroy()
  // Marks the response finished, so the server writes nothing more to the dead socket.
  response.end()
  return HttpServerResponse.empty()
}

/** The key a client of this protocol sent, where that protocol sends it. */
const presentedKey = (
  auth: ServerProtocol.ServerProtocol["auth"],
  headers: Readonly<Record<string, string | undefined>>
): string | undefined => (auth === "api-key" ? headers["api-key"]?.trim() : bearer(headers.authorization))

/**
 * The server as an `HttpApp`, serving the `Reranker` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeApp = (
  options: Options = {}
): Effect.Effect<HttpApp.Default<never, never>, never, Reranker.Reranker> =>
  Effect.gen(function* () {
    const reranker = yield* Reranker.Reranker
    const injector = FaultInjection.make(options.faults ?? { rules: [] })
    const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes

    const served = options.routes ?? ServerProtocols.routes
    const routes = served.flatMap(({ prefix, protocol }) =>
      protocol.paths.map((path) => ({ route: prefix + path, path, protocol }))
    )
    const routePaths: ReadonlySet<string> = new Set(routes.map((r) => r.route))
    const notFound = ServerProtocols.notFoundMessage(served)

    const rerank = (protocol: ServerProtocol.ServerProtocol, path: string) => {
      const failWith = (status: number, message: string, headers: Record<string, string> = {}) =>
        HttpServerResponse.unsafeJson(protocol.encodeError(status, message), {
          status,
          headers: { ...protocol.errorHeaders?.(status), ...headers }
        })
      return Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        // A refusal is answered after the body it refuses is read and dropped (up to a bound): a client still
        // sending would otherwise see its connection reset instead of the answer. Past the bound the connection
        // is closed, which the answer says.
        const refuse = (status: number, message: string, bound: number) =>
          Effect.map(Body.drain(request, bound), (drained) =>
            failWith(status, message, drained ? {} : { connection: "close" })
          )
        if (options.apiKey !== undefined) {
          // A SigV4 signature cannot be checked without the caller's AWS secret: a keyed server takes Bedrock calls
          // with a Bedrock API key (bearer) only.
          const given = presentedKey(protocol.auth, request.headers)
          if (given === undefined || !sameKey(given, Redacted.value(options.apiKey))) {
            return yield* refuse(401, "invalid api token", maxBodyBytes)
          }
        }
        const fault = injector.next()
        if (Option.isSome(fault)) {
          const f = fault.value
          yield* Effect.annotateCurrentSpan("fault", f._tag)
          switch (f._tag) {
            case "Status":
              return failWith(
                f.status,
                f.status !== 429
                  ? "internal server error"
                  : protocol === ServerProtocols.byName.cohere
                    ? "You are using a Trial key, which is limited to 10 API calls / minute."
                    : "rate limit exceeded",
                f.status === 429 && f.retryAfter !== undefined ? { "retry-after": String(f.retryAfter) } : {}
              )
            case "Reset":
              return breakConnection(request, undefined)
            case "Delay":
              yield* Effect.sleep(Duration.millis(f.millis))
              break
            case "Truncate":
            case "Cut":
            // A quota answers as a 429 Status when spent; the rule itself never reaches here.
            case "Quota":
              break
          }
        }
        const tooLarge = `request body too large: limit is ${maxBodyBytes} bytes`
        const declared = Number(request.headers["content-length"] ?? "0")
        if (declared > maxBodyBytes) {
          // Read and dropped when it fits the bound, so the client gets its 413; far past it, answered at once.
          if (declared > maxBodyBytes * Body.drainAllowance) return failWith(413, tooLarge, { connection: "close" })
          yield* Body.drain(request, declared)
          return failWith(413, tooLarge, { connection: "close" })
        }
        const text = yield* Body.read(request, maxBodyBytes)
        if (text === undefined) return failWith(413, tooLarge, { connection: "close" })
        // Before parsing: a small body of deep nesting would cost the parser (and the event loop) far more.
        const depth = Body.nestingDepth(text, Body.maxNestingDepth)
        if (depth > Body.maxNestingDepth) {
          return failWith(400, `invalid request: request body is nested deeper than ${Body.maxNestingDepth} levels`)
        }
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          return failWith(400, "invalid request: request body is not valid JSON")
        }
        const decoded = protocol.decodeRequest(json, path)
        if (Either.isLeft(decoded)) return failWith(400, decoded.left)
        const call = decoded.right
        const { model, query, texts, topN } = call
        const result = yield* Effect.either(reranker.rerank({ query, documents: texts, topN, model }))
        if (Either.isLeft(result)) {
          const { headers, message, status } = errorResponse(result.left)
          return failWith(status, message, headers)
        }
        const body = JSON.stringify(
          protocol.encodeResponse({
            path,
            call,
            model: result.right.model,
            results: result.right.results,
            searchUnits: result.right.usage.searchUnits
          })
        )
        if (Option.isSome(fault) && fault.value._tag === "Truncate") return breakConnection(request, body)
        if (Option.isSome(fault) && fault.value._tag === "Cut") {
          return HttpServerResponse.text(body.slice(0, Math.floor(body.length / 2)), {
            contentType: "application/json"
          })
        }
        return HttpServerResponse.text(body, { contentType: "application/json" })
      })
    }

    let routed: HttpRouter.HttpRouter<never, never> = HttpRouter.empty
    for (const { path, protocol, route } of routes) {
      routed = HttpRouter.post(routed, route as HttpRouter.PathInput, rerank(protocol, path))
    }
    const router = routed.pipe(
      Effect.catchTag("RouteNotFound", () =>
        Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
          routePaths.has(new URL(request.url, "http://server").pathname)
            ? cohereError(405, `method not allowed: ${request.method}; use POST`, { allow: "POST" })
            : cohereError(404, notFound)
        )
      )
    )

    // One line per request, whatever its route or status: method, path, status and time only, never headers (the
    // key) or bodies (document texts).
    return Effect.gen(function* () {
      const start = yield* Clock.currentTimeMillis
      const response = yield* router
      const request = yield* HttpServerRequest.HttpServerRequest
      yield* Effect.logInfo("request").pipe(
        Effect.annotateLogs({
          method: request.method,
          path: new URL(request.url, "http://server").pathname,
          status: response.status,
          ms: (yield* Clock.currentTimeMillis) - start
        })
      )
      return response
    })
  })

/**
 * Serves the app on the `HttpServer` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, Reranker.Reranker | HttpServer.HttpServer> =>
  Layer.unwrapEffect(Effect.map(makeApp(options), (app) => HttpServer.serve(app)))
