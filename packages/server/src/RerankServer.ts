/**
 * A Cohere-compatible rerank server over any `Reranker` (the local one by default): `POST /v1/rerank` and
 * `POST /v2/rerank` with Cohere's request fields, response shape and error bodies, an optional bearer key, a body
 * size limit, and seeded fault injection. Point any client written for Cohere's API at it, unchanged.
 *
 * @since 0.2.0
 */
import { Quota, Reranker, type RerankError } from "@effect-rerank/core"
import { CohereSchema } from "@effect-rerank/http"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as FaultInjection from "./FaultInjection.js"
import * as Gateway from "./Gateway.js"
import * as Body from "./internal/body.js"
import * as PathTemplate from "./internal/pathTemplate.js"
import * as Connection from "./internal/connection.js"
import * as StatusPage from "./internal/statusPage.js"
import * as ServerMetrics from "./ServerMetrics.js"
import type * as ServerProtocol from "./ServerProtocol.js"
import * as ServerProtocols from "./ServerProtocols.js"
import * as ServerStatus from "./ServerStatus.js"

/**
 * @since 0.2.0
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
  /**
   * Most documents one request may carry, in every protocol; more is refused with 413 from a scan of the body,
   * before it is parsed. Default 10,000.
   */
  readonly maxDocuments?: number | undefined
  /** The server's state, shared with whatever drains it (`NodeServer`); a fresh one when absent. */
  readonly status?: ServerStatus.ServerStatus | undefined
  /** What the status page says the server fronts, and its quota and cache, when any. */
  readonly about?: About | undefined
  /**
   * Origins whose pages may call this server from a browser (CORS; `["*"]` for any): their preflight is answered and
   * their answers carry `Access-Control-Allow-Origin`. Default: none, so a page of another origin cannot read an
   * answer.
   */
  readonly cors?: ReadonlyArray<string> | undefined
  /**
   * How bodies are read and connections broken (the `reset` and `truncate` faults): `NodeServer` gives Node's, which
   * reaches for the socket; default: the request's web-standard stream, the faults answered as responses.
   */
  readonly connection?: Connection.Connection | undefined
}

/**
 * What the status page (and `GET /status.json`) says of the server's set-up; nothing secret.
 *
 * @since 0.2.0
 * @category models
 */
export interface About {
  /** "local reranker", "gateway to cohere". */
  readonly upstream: string
  readonly quota?: { readonly limit: number; readonly window: string } | undefined
  readonly cache?: string | undefined
}

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxDocuments: 10_000,
  port: 8080,
  host: "127.0.0.1"
} as const

/**
 * The routes every server answers besides the protocols', with `GET`: the status page, Prometheus metrics, liveness,
 * readiness and the status page's data. None needs a key; none says anything secret.
 *
 * @since 0.2.0
 * @category constants
 */
export const operationalRoutes = ["/", "/metrics", "/healthz", "/readyz", "/status.json"] as const

/**
 * A request path as it is routed and logged: the query dropped, repeated slashes collapsed; `undefined` when a segment
 * is `.` or `..` (also percent-encoded), which no route has and which is answered 404 rather than resolved.
 *
 * @since 0.2.0
 * @category routing
 */
export const routedPath = (url: string): string | undefined => {
  const end = url.search(/[?#]/)
  let path = end < 0 ? url : url.slice(0, end)
  // An absolute-form target (`POST http://host/v2/rerank`) names its path after the authority.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path)
  if (absolute !== null) path = path.slice(absolute[0].length)
  path = "/" + path.replace(/^\/+/, "").replace(/\/{2,}/g, "/")
  const dotted = path.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment))
  return dotted ? undefined : path
}

/** The message of each error answer, kept as it is written, for the status page's last errors. */
const messages = new WeakMap<HttpServerResponse.HttpServerResponse, string>()

const withMessage = (response: HttpServerResponse.HttpServerResponse, message: string) => {
  messages.set(response, message)
  return response
}

const cohereError = (status: number, message: string, headers: Record<string, string> = {}) =>
  withMessage(HttpServerResponse.unsafeJson({ id: crypto.randomUUID(), message }, { status, headers }), message)

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

/** The key checked in time that depends on the lengths only, never on where the first difference is. */
const sameKey = (given: string, expected: string): boolean => {
  const encoder = new TextEncoder()
  const a = encoder.encode(given)
  const b = encoder.encode(expected)
  let difference = a.length ^ b.length
  for (let i = 0; i < b.length; i++) difference |= (a[i % Math.max(1, a.length)] ?? 0) ^ b[i]
  return difference === 0
}

const bearer = (header: string | undefined): string | undefined => {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header)
  return match === null ? undefined : match[1].trim()
}

/** The key a client of this protocol sent, where that protocol sends it. */
const presentedKey = (
  auth: ServerProtocol.ServerProtocol["auth"],
  headers: Readonly<Record<string, string | undefined>>
): string | undefined => (auth === "api-key" ? headers["api-key"]?.trim() : bearer(headers.authorization))

/** Request ids a client may choose (`X-Request-Id`): short and plain, since they reach logs and the status page. */
const clientRequestId = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * The server as an `HttpApp`, serving the `Reranker` in context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeApp = (
  options: Options = {}
): Effect.Effect<HttpApp.Default<never, never>, never, Reranker.Reranker> =>
  Effect.gen(function* () {
    const reranker = yield* Reranker.Reranker
    const injector = FaultInjection.make(options.faults ?? { rules: [] })
    const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes
    const maxDocuments = options.maxDocuments ?? defaults.maxDocuments
    const connection = options.connection ?? Connection.web
    const status = options.status ?? ServerStatus.make()
    const prometheus = yield* ServerMetrics.prometheus()

    const served = options.routes ?? ServerProtocols.routes
    const routes = served.flatMap(({ prefix, protocol }) =>
      protocol.paths.map((path) => ({ route: prefix + path, path, protocol }))
    )
    const routeOf = PathTemplate.matcher(routes.map((r) => r.route))
    const notFound = ServerProtocols.notFoundMessage(served)

    const rerank = (protocol: ServerProtocol.ServerProtocol, path: string, route: string) => {
      const failWith = (status: number, message: string, headers: Record<string, string> = {}) =>
        withMessage(
          HttpServerResponse.unsafeJson(protocol.encodeError(status, message), {
            status,
            headers: { ...protocol.errorHeaders?.(status), ...headers }
          }),
          message
        )
      // Drawn after the key is checked: a refused request never spends a fault.
      const faults = FaultInjection.middleware(injector, {
        status: (status, retryAfter) =>
          failWith(
            status,
            status !== 429
              ? "internal server error"
              : protocol === ServerProtocols.byName.cohere
                ? "You are using a Trial key, which is limited to 10 API calls / minute."
                : "rate limit exceeded",
            status === 429 && retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}
          ),
        breakConnection: connection.breakConnection
      })
      const answer = faults(
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const tooLarge = `request body too large: limit is ${maxBodyBytes} bytes`
          const declared = Number(request.headers["content-length"] ?? "0")
          if (declared > maxBodyBytes) {
            // Read and dropped when it fits the bound, so the client gets its 413; far past it, answered at once.
            if (declared > maxBodyBytes * Body.drainAllowance) return failWith(413, tooLarge, { connection: "close" })
            yield* Body.drain(connection, request, declared)
            return failWith(413, tooLarge, { connection: "close" })
          }
          const body = yield* Body.read(connection, request, maxBodyBytes)
          // Nobody is left to answer; the status says so in the log and the metrics (nginx's "client closed request").
          if (body._tag === "Aborted") return HttpServerResponse.empty({ status: clientClosedRequest })
          if (body._tag === "TooLarge") return failWith(413, tooLarge, { connection: "close" })
          const text = body.text
          // Before parsing: a small body of deep nesting, or a million tiny documents, would cost the parser (and the
          // event loop) far more than the bytes suggest.
          const shape = Body.shape(text, Body.maxNestingDepth)
          if (shape.depth > Body.maxNestingDepth) {
            return failWith(400, `invalid request: request body is nested deeper than ${Body.maxNestingDepth} levels`)
          }
          if (shape.longest !== undefined && shape.longest.items > maxDocuments) {
            return failWith(
              413,
              `request too large: limit is ${maxDocuments} documents (${shape.longest.field} has ${shape.longest.items})`
            )
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
          yield* Metric.incrementBy(Metric.tagged(ServerMetrics.documentsReceived, "http.route", route), texts.length)
          const result = yield* Effect.either(
            reranker.rerank({
              query,
              documents: texts,
              topN,
              model,
              ...(call.instruction === undefined ? {} : { instruction: call.instruction })
            })
          )
          status.upstreamOutcome(Either.isLeft(result) ? result.left : undefined)
          if (Either.isLeft(result)) {
            const { headers, message, status } = errorResponse(result.left)
            return failWith(status, message, headers)
          }
          const answer = JSON.stringify(
            protocol.encodeResponse({
              path,
              call,
              model: result.right.model,
              results: result.right.results,
              searchUnits: result.right.usage.searchUnits,
              tokens: result.right.usage.billed?.unit === "tokens" ? result.right.usage.billed.quantity : 0
            })
          )
          return HttpServerResponse.text(answer, { contentType: "application/json" })
        })
      )
      return Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (options.apiKey !== undefined) {
          // A SigV4 signature cannot be checked without the caller's AWS secret: a keyed server takes Bedrock calls
          // with a Bedrock API key (bearer) only.
          const given = presentedKey(protocol.auth, request.headers)
          if (given === undefined || !sameKey(given, Redacted.value(options.apiKey))) {
            // Answered after the body is read and dropped (up to a bound): a client still sending would otherwise
            // see its connection reset instead of the answer. Past the bound the connection is closed, which the
            // answer says.
            const drained = yield* Body.drain(connection, request, maxBodyBytes)
            return failWith(401, "invalid api token", drained ? {} : { connection: "close" })
          }
        }
        return yield* answer
      })
    }

    const operations = {
      "/": Effect.succeed(
        HttpServerResponse.html(StatusPage.html).pipe(
          HttpServerResponse.setHeaders({
            "cache-control": "no-store",
            // The page's own inline style and script, and fetches to this server only.
            "content-security-policy":
              "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:"
          })
        )
      ),
      "/metrics": Effect.map(prometheus.scrape, (text) =>
        HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" })
      ),
      "/healthz": Effect.succeed(HttpServerResponse.unsafeJson({ status: "ok" })),
      "/readyz": Effect.map(ServerStatus.readiness(status), (readiness) =>
        HttpServerResponse.unsafeJson(
          { status: readiness.ready ? "ready" : "not ready", checks: readiness.checks },
          { status: readiness.ready ? 200 : 503 }
        )
      ),
      "/status.json": Effect.map(ServerStatus.readiness(status), (readiness) =>
        HttpServerResponse.unsafeJson({
          upstream: options.about?.upstream ?? "local reranker",
          quota: options.about?.quota ?? null,
          cache: options.about?.cache ?? null,
          keyRequired: options.apiKey !== undefined,
          protocols: routes.map((r) => r.route),
          startedAt: new Date(status.startedAt).toISOString(),
          inFlight: status.inFlight(),
          ready: readiness.ready,
          checks: readiness.checks,
          lastErrors: status.lastErrors()
        })
      )
    } satisfies Record<(typeof operationalRoutes)[number], Effect.Effect<HttpServerResponse.HttpServerResponse>>

    let routed: HttpRouter.HttpRouter<never, never> = HttpRouter.empty
    for (const { path, protocol, route } of routes) {
      routed = HttpRouter.post(
        routed,
        PathTemplate.toRouterPath(route) as HttpRouter.PathInput,
        rerank(protocol, path, route)
      )
    }
    for (const [path, answer] of Object.entries(operations)) {
      routed = HttpRouter.get(routed, path as HttpRouter.PathInput, answer)
    }
    const router = routed.pipe(
      Effect.catchTag("RouteNotFound", () =>
        Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
          // The URL was rewritten to the routed path (and its query) before routing.
          const path = request.url.replace(/\?.*$/, "")
          return routeOf(path) !== undefined
            ? cohereError(405, `method not allowed: ${request.method}; use POST`, { allow: "POST" })
            : (operationalRoutes as ReadonlyArray<string>).includes(path)
              ? cohereError(405, `method not allowed: ${request.method}; use GET`, { allow: "GET" })
              : cohereError(404, notFound)
        })
      )
    )
    // A request's route as logged and measured: the template it fits, never the caller's own path segments.
    const knownRoute = PathTemplate.matcher([...routes.map((r) => r.route), ...operationalRoutes])

    // One line per request, whatever its route or status: method, the path as routed, status, time and request id;
    // never headers (the key) or bodies (document texts). A request whose client left is logged too, as 499.
    return Effect.gen(function* () {
      const start = yield* Clock.currentTimeMillis
      const original = yield* HttpServerRequest.HttpServerRequest
      const given = original.headers["x-request-id"]
      const requestId = given !== undefined && clientRequestId.test(given) ? given : crypto.randomUUID()
      const path = routedPath(original.url)
      const route = (path === undefined ? undefined : knownRoute(path)) ?? "unmatched"
      const finish = (code: number, response: HttpServerResponse.HttpServerResponse | undefined) =>
        Effect.gen(function* () {
          const ms = (yield* Clock.currentTimeMillis) - start
          yield* ServerMetrics.recordRequest({ method: original.method, route, status: code, seconds: ms / 1000 })
          if (code >= 400) {
            status.answeredError({
              at: new Date(start).toISOString(),
              requestId,
              method: ServerMetrics.methodName(original.method),
              path: route,
              status: code,
              message:
                response === undefined
                  ? "the client closed the connection"
                  : (messages.get(response) ?? "").slice(0, 300)
            })
          }
          yield* Effect.logInfo("request").pipe(
            Effect.annotateLogs({
              method: original.method,
              path: path ?? "(dot segments)",
              status: code,
              ms,
              request_id: requestId
            })
          )
        })
      const answer =
        path === undefined
          ? Effect.succeed(cohereError(404, notFound))
          : router.pipe(
              Effect.provideService(
                HttpServerRequest.HttpServerRequest,
                original.modify({ url: path + queryOf(original.url) })
              )
            )
      const response = yield* Effect.acquireUseRelease(
        Effect.zipRight(
          Effect.sync(() => status.requestStarted()),
          Metric.incrementBy(ServerMetrics.activeRequests, 1)
        ),
        () => Effect.onInterrupt(answer, () => finish(clientClosedRequest, undefined)),
        () =>
          Effect.zipRight(
            Effect.sync(() => status.requestEnded()),
            Metric.incrementBy(ServerMetrics.activeRequests, -1)
          )
      )
      yield* finish(response.status, response)
      return HttpServerResponse.setHeader(response, "x-request-id", requestId)
    })
  })

/** The status logged and counted for a request whose client left before its body ended (nginx's convention). */
const clientClosedRequest = 499

const queryOf = (url: string): string => {
  const at = url.indexOf("?")
  return at < 0 ? "" : url.slice(at)
}

/**
 * Serves the app on the `HttpServer` in context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, Reranker.Reranker | HttpServer.HttpServer> =>
  Layer.unwrapEffect(Effect.map(makeApp(options), (app) => HttpServer.serve(withCors(app, options.cors))))

/**
 * The app answering cross-origin calls from `origins` (nothing changes without them): their preflight answered, their
 * answers readable (with `x-request-id` and `retry-after`), whatever headers their SDKs send.
 *
 * @since 0.2.0
 * @category middleware
 */
export const withCors = <E, R>(
  app: HttpApp.Default<E, R>,
  origins: ReadonlyArray<string> | undefined
): HttpApp.Default<E, R> =>
  origins === undefined || origins.length === 0
    ? app
    : HttpMiddleware.cors({
        allowedOrigins: origins.includes("*") ? () => true : origins,
        allowedMethods: ["GET", "POST"],
        // The headers a preflight asks for are allowed (an allowed origin's SDK may send its own: trace context, a
        // client name, an API version), as Effect's middleware does with no list.
        exposedHeaders: ["x-request-id", "retry-after"],
        maxAge: 600
      })(app)
