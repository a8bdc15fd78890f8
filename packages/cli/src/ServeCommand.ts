/**
 * `rerank serve`: the Cohere-compatible server over the local reranker, with optional key and fault injection.
 *
 * @since 0.2.0
 */
import { Batching } from "@effect-rerank/core"
import { Registry } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import type * as Server from "@effect-rerank/server"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type Failure, inTermsOf, StartError, UsageError } from "./CliError.js"
import * as Providers from "./Providers.js"
import * as RedisNotices from "./internal/redisNotices.js"

/** The flags, with `--upstream`'s choices and help from `providers`. */
const serveOptions = (providers: ReadonlyArray<Registry.Entry>) => ({
  port: Options.integer("port").pipe(
    Options.withAlias("p"),
    Options.withDefault(8080),
    Options.withDescription("Port to listen on; 0 picks a free one. Default: 8080.")
  ),
  host: Options.text("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("Address to bind; the default keeps the server on this machine. Default: 127.0.0.1.")
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withFallbackConfig(Config.redacted("RERANK_SERVER_API_KEY")),
    Options.optional,
    Options.withDescription("Require Authorization: Bearer <key> (default: RERANK_SERVER_API_KEY, else open).")
  ),
  cors: Options.text("cors").pipe(
    Options.repeated,
    Options.withDescription(
      "An origin whose pages may call the server from a browser (repeatable; * for any), e.g. http://localhost:5173. Default: none."
    )
  ),
  fault: Options.text("fault").pipe(
    Options.repeated,
    Options.withDescription(
      "Inject a fault, repeatable: KIND[:every=N][:p=0.25][:retry-after=S][:ms=M], KIND one of 429, 500, 502, 503, 504, delay, reset, truncate, cut; or quota[:limit=N][:window-ms=M] (429 past N calls a window, a provider's quota)."
    )
  ),
  maxDocuments: Options.integer("max-documents").pipe(
    Options.withDefault(10_000),
    Options.withDescription(
      "Most documents in one request, on every route; more gets 413 before the body is parsed. Default: 10000."
    )
  ),
  maxUpstreamCalls: Options.integer("max-upstream-calls").pipe(
    Options.withDefault(10),
    Options.withDescription(
      "Gateway: most upstream requests (windows) one caller's request may become; more gets 413 before any is sent. Default: 10."
    )
  ),
  maxConnections: Options.integer("max-connections").pipe(
    Options.withDefault(512),
    Options.withDescription(
      "Most open connections; when full, the one waiting longest without a request is closed to make room. Default: 512."
    )
  ),
  headersTimeout: Options.text("headers-timeout").pipe(
    Options.withDefault("10s"),
    Options.withDescription("Time to send a request's headers, then 408. Default: 10s.")
  ),
  requestTimeout: Options.text("request-timeout").pipe(
    Options.withDefault("30s"),
    Options.withDescription("Time to send a whole request, then 408. Default: 30s.")
  ),
  keepAliveTimeout: Options.text("keep-alive-timeout").pipe(
    Options.withDefault("5s"),
    Options.withDescription("How long an idle keep-alive connection is kept. Default: 5s.")
  ),
  drainTimeout: Options.text("drain-timeout").pipe(
    Options.withDefault("10s"),
    Options.withDescription(
      "On SIGTERM or SIGINT: stop accepting, let requests in flight finish for up to this long, then exit 0. Default: 10s."
    )
  ),
  logFormat: Options.choice("log-format", ["logfmt", "json"]).pipe(
    Options.withDefault("logfmt"),
    Options.withDescription("One line per request on stdout, as logfmt (default) or JSON.")
  ),
  seed: Options.integer("seed").pipe(
    Options.withDefault(1),
    Options.withDescription("Seed for probabilistic faults. Default: 1.")
  ),
  maxBodyBytes: Options.integer("max-body-bytes").pipe(
    Options.withDefault(10 * 1024 * 1024),
    Options.withDescription("Largest request body in bytes; larger gets 413. Default: 10485760 (10 MiB).")
  ),
  upstream: Options.choice("upstream", ["local", ...providers.map((entry) => entry.name)]).pipe(
    Options.withDefault("local"),
    Options.withDescription(
      `The reranker behind the server: local (default), or a provider whose key (and base URL) come from its own variables, a gateway: ${Providers.help(providers)}.`
    )
  ),
  upstreamUrl: Options.text("upstream-url").pipe(
    Options.optional,
    Options.withDescription("The upstream provider's base URL, when not its own (default: COHERE_BASE_URL, ...).")
  ),
  rateLimit: Options.text("rate-limit").pipe(
    Options.optional,
    Options.withDescription(
      "Pace calls to the upstream: N/DURATION, e.g. 1000/1m or 20/1s. Shared by every gateway on the same --redis."
    )
  ),
  redis: Options.text("redis").pipe(
    Options.optional,
    Options.withDescription(
      "redis://host:port holding the shared quota of --rate-limit (default: REDIS_URL, read only with --rate-limit or --cache redis; else this process only)."
    )
  ),
  cache: Options.text("cache").pipe(
    Options.optional,
    Options.withDescription(
      "Remember upstream scores: memory, redis (the --redis URL, else REDIS_URL), or redis://host:port to share them between gateways."
    )
  ),
  redisRequired: Options.boolean("redis-required").pipe(
    Options.withDescription(
      "Fail closed: refuse to start while Redis cannot be reached, and answer 503 (with Retry-After) instead of pacing nothing while it is down."
    )
  ),
  upstreamModel: Options.text("upstream-model").pipe(
    Options.optional,
    Options.withDescription(
      "The model the upstream is asked for when a caller names one it does not serve (default: the upstream's own)."
    )
  ),
  modelMap: Options.text("model-map").pipe(
    Options.repeated,
    Options.withDescription(
      "FROM=TO, repeatable: a caller asking for FROM gets the upstream's TO (checked before the models it serves)."
    )
  )
})

/** `--model-map FROM=TO`, each once. */
export const parseModelMap = (specs: ReadonlyArray<string>): Either.Either<Record<string, string>, string> => {
  const map: Record<string, string> = {}
  for (const spec of specs) {
    const at = spec.indexOf("=")
    const from = spec.slice(0, at).trim()
    const to = spec.slice(at + 1).trim()
    if (at < 0 || from === "" || to === "") return Either.left(`--model-map must look like FROM=TO, got "${spec}"`)
    if (Object.hasOwn(map, from)) return Either.left(`--model-map maps ${from} twice`)
    map[from] = to
  }
  return Either.right(map)
}

const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const

/** `500ms`, `10s`, `2m`: a duration above zero, for `--NAME`. */
export const parseDuration = (name: string, spec: string): Either.Either<Duration.Duration, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(spec)
  const millis = match === null ? 0 : Number(match[1]) * units[match[2] as keyof typeof units]
  return millis > 0
    ? Either.right(Duration.millis(millis))
    : Either.left(`--${name} must be a duration above zero such as 500ms, 10s or 2m, got "${spec}"`)
}

/** `1000/1m`, `20/1s`, `10/60s`, `5/500ms`: a count per duration. */
export const parseRateLimit = (spec: string): Either.Either<{ limit: number; window: Duration.Duration }, string> => {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(spec)
  if (match === null) return Either.left(`--rate-limit must look like 1000/1m or 20/1s, got "${spec}"`)
  const limit = Number(match[1])
  const count = match[2] === "" ? 1 : Number(match[2])
  const unit = units[match[3] as keyof typeof units]
  if (limit < 1 || count < 1) return Either.left(`--rate-limit needs a count and a duration above zero, got "${spec}"`)
  return Either.right({ limit, window: Duration.millis(count * unit) })
}

/**
 * The reranker the server fronts, paced and cached as the flags say; the stores on Redis when given a URL.
 */
const upstreamLayer = (
  options: Parsed,
  providers: ReadonlyArray<Registry.Entry>,
  { Gateway, Stores }: Pick<typeof Server, "Gateway" | "Stores">,
  watch: Server.Stores.Watch
) =>
  Effect.gen(function* () {
    const rateLimit = Option.isSome(options.rateLimit)
      ? yield* Either.mapLeft(parseRateLimit(options.rateLimit.value), (reason) => new UsageError({ reason }))
      : undefined
    const cacheSpec = Option.getOrUndefined(options.cache)
    if (
      cacheSpec !== undefined &&
      cacheSpec !== "memory" &&
      cacheSpec !== "redis" &&
      !/^rediss?:\/\//.test(cacheSpec)
    ) {
      return yield* new UsageError({ reason: `--cache must be memory, redis or a redis:// URL, got "${cacheSpec}".` })
    }
    if (Option.isSome(options.redis) && rateLimit === undefined && cacheSpec !== "redis") {
      return yield* new UsageError({ reason: "--redis holds the shared quota: give --rate-limit too." })
    }
    // REDIS_URL is read only when a flag asks for Redis: a plain server never looks at it.
    const wantsRedis = rateLimit !== undefined || cacheSpec === "redis"
    const redis = Option.isSome(options.redis)
      ? options.redis.value
      : wantsRedis
        ? Option.getOrUndefined(yield* Config.option(Config.nonEmptyString("REDIS_URL")))
        : undefined
    if (cacheSpec === "redis" && redis === undefined) {
      return yield* new UsageError({ reason: "--cache redis needs --redis URL (or REDIS_URL)." })
    }
    const cacheUrl =
      cacheSpec === "redis" ? redis : cacheSpec !== undefined && cacheSpec !== "memory" ? cacheSpec : undefined
    if (options.redisRequired && redis === undefined) {
      return yield* new UsageError({
        reason: "--redis-required needs Redis: give --redis URL (or REDIS_URL) with --rate-limit."
      })
    }
    // Fail closed: while the store is down, no call goes out unpaced.
    const paced =
      rateLimit === undefined
        ? undefined
        : { ...rateLimit, ...(options.redisRequired ? { onStoreError: "fail" as const } : {}) }
    const shared = {
      ...(paced === undefined ? {} : { rateLimit: paced }),
      ...(cacheSpec === undefined ? {} : { cache: {} })
    }
    const stores = Layer.mergeAll(
      rateLimit !== undefined && redis !== undefined ? Stores.layerQuota(redis, undefined, watch) : Layer.empty,
      cacheUrl === undefined ? Layer.empty : Stores.layerCache(cacheUrl, watch)
    )
    if (options.upstream === "local") {
      if (Option.isSome(options.upstreamUrl)) {
        return yield* new UsageError({ reason: "--upstream-url needs --upstream <provider>." })
      }
      return { layer: LocalReranker.layer(shared).pipe(Layer.provide(stores)), redis, rateLimit }
    }
    const flags: Providers.Flags = {
      maxWindows: Config.succeed(options.maxUpstreamCalls),
      concurrency: Config.succeed(Batching.defaults.concurrency),
      merge: Config.succeed("score" as const),
      allowInsecureHttp: Config.succeed(false),
      ...(Option.isSome(options.upstreamUrl) ? { baseUrl: Config.succeed(options.upstreamUrl.value) } : {}),
      ...(paced === undefined ? {} : { rateLimit: Config.succeed(paced) }),
      ...(cacheSpec === undefined ? {} : { cache: Config.succeed({}) })
    }
    const upstream = Providers.byName(providers, options.upstream)!
    const map = yield* Either.mapLeft(parseModelMap(options.modelMap), (reason) => new UsageError({ reason }))
    // Callers of every protocol name their own vendor's models: the upstream is asked for one of its own.
    const gateway = Gateway.layer({ model: Option.getOrUndefined(options.upstreamModel), serves: upstream.models, map })
    const layer = gateway.pipe(
      Layer.provide(upstream.layerConfig(flags)),
      Layer.provide(Layer.merge(stores, FetchHttpClient.layer))
    )
    return { layer, redis, rateLimit }
  })

/** The server's bounds from the flags, each checked. */
const serverBounds = (options: Parsed) =>
  Effect.gen(function* () {
    for (const [flag, value] of [
      ["max-documents", options.maxDocuments],
      ["max-upstream-calls", options.maxUpstreamCalls],
      ["max-connections", options.maxConnections]
    ] as const) {
      if (!(Number.isInteger(value) && value >= 1)) {
        return yield* new UsageError({ reason: `--${flag} must be a whole number above zero, got ${value}.` })
      }
    }
    const duration = (name: string, spec: string) =>
      Either.mapLeft(parseDuration(name, spec), (reason) => new UsageError({ reason: `${reason}.` }))
    const headersTimeout = yield* duration("headers-timeout", options.headersTimeout)
    const requestTimeout = yield* duration("request-timeout", options.requestTimeout)
    if (Duration.greaterThan(headersTimeout, requestTimeout)) {
      return yield* new UsageError({
        reason: `--headers-timeout (${options.headersTimeout}) must not be longer than --request-timeout (${options.requestTimeout}).`
      })
    }
    return {
      maxDocuments: options.maxDocuments,
      maxConnections: options.maxConnections,
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: yield* duration("keep-alive-timeout", options.keepAliveTimeout),
      drainTimeout: yield* duration("drain-timeout", options.drainTimeout)
    }
  })

const loopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost|\[::1\])$/i.test(host)

/** What an operator should know before serving without a key: who can reach it, and who pays. */
export const exposureWarnings = (
  options: Pick<Parsed, "apiKey" | "host" | "upstream">,
  upstream: Registry.Entry | undefined
): ReadonlyArray<string> => {
  if (Option.isSome(options.apiKey)) return []
  const warnings: Array<string> = []
  if (!loopback(options.host)) {
    warnings.push(
      `serving on ${options.host} without --api-key: anyone who can reach this address can use it. Set --api-key (or RERANK_SERVER_API_KEY).`
    )
  }
  if (upstream !== undefined && upstream.variables.keyRequired) {
    warnings.push(
      `fronting ${upstream.title} without --api-key: every caller's request is billed to this server's ${upstream.title} key.`
    )
  }
  return warnings
}

/**
 * The parsed arguments and options.
 *
 * @since 0.2.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<ReturnType<typeof serveOptions>>

/**
 * @since 0.2.0
 * @category commands
 */
export const make = (
  providers: ReadonlyArray<Registry.Entry> = Registry.providers
): Command.Command<"serve", never, Failure, Parsed> =>
  Command.make("serve", serveOptions(providers), (options) =>
    Effect.gen(function* () {
      // Loaded only for `serve`: the server and Node's HTTP stack would slow every other command's start.
      const { FaultInjection, Gateway, NodeServer, ServerProtocols, ServerStatus, Stores, Tracing }: typeof Server =
        yield* Effect.promise(() => import("@effect-rerank/server"))
      const rules = yield* Either.all(options.fault.map(FaultInjection.parseRule)).pipe(
        Either.mapLeft((reason) => new UsageError({ reason: `--fault: ${reason}` }))
      )
      if (Option.isSome(options.apiKey) && Redacted.value(options.apiKey.value).trim() === "") {
        // An empty key would start a server that rejects every request.
        return yield* new UsageError({
          reason: "--api-key (or RERANK_SERVER_API_KEY) is empty: give a key, or leave it out to serve without one."
        })
      }
      const bounds = yield* serverBounds(options)
      const notices = RedisNotices.make(options.redisRequired)
      const {
        layer: reranker,
        rateLimit,
        redis
      } = yield* upstreamLayer(options, providers, { Gateway, Stores }, notices.watch)
      if (redis !== undefined) {
        const where = RedisNotices.where(redis)
        notices.watchAddress(where)
        if (!(yield* Effect.orElseSucceed(Stores.ping(redis), () => false))) {
          if (options.redisRequired) {
            return yield* new StartError({
              reason: `Redis at ${where} cannot be reached, and --redis-required says not to start without it.`
            })
          }
          notices.unreachableAtStart()
        }
      }
      const routes = ServerProtocols.routesOf(providers)
      const status = ServerStatus.make(
        redis === undefined ? [] : [{ name: "redis", check: Effect.orElseSucceed(Stores.ping(redis), () => false) }]
      )
      const server = NodeServer.layer({
        port: options.port,
        host: options.host,
        apiKey: Option.getOrUndefined(options.apiKey),
        maxBodyBytes: options.maxBodyBytes,
        faults: { rules, seed: options.seed },
        cors: options.cors,
        routes,
        status,
        ...bounds,
        about: {
          upstream: options.upstream === "local" ? "local reranker" : `gateway to ${options.upstream}`,
          quota:
            rateLimit === undefined ? undefined : { limit: rateLimit.limit, window: Duration.format(rateLimit.window) },
          cache: Option.getOrUndefined(options.cache)?.startsWith("redis")
            ? "Redis"
            : Option.getOrUndefined(options.cache)
        }
      }).pipe(Layer.provide(reranker))
      const named = routes.filter((route) => route.prefix !== "").map((route) => route.prefix)
      const announce = Layer.effectDiscard(
        HttpServer.addressFormattedWith((address) =>
          Console.error(
            `rerank server (${options.upstream === "local" ? "local reranker" : `gateway to ${options.upstream}`}) listening on ${address}: POST /v2/rerank, POST /v1/rerank, and ${named.join(", ")} for the other protocols` +
              (Option.isSome(options.apiKey) ? " (key required)" : "") +
              (rules.length > 0 ? `, ${rules.length} fault rule(s)` : "") +
              (Option.isSome(options.rateLimit)
                ? `, paced to ${options.rateLimit.value}${redis !== undefined ? " (shared on Redis)" : ""}`
                : "") +
              (Option.isSome(options.cache)
                ? `, scores cached (${options.cache.value.startsWith("redis") ? "Redis" : "memory"})`
                : "")
          )
        )
      )
      if (!(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
        return yield* new UsageError({ reason: `--port must be 0 to 65535 (0 picks a free one), got ${options.port}.` })
      }
      const upstream = Providers.byName(providers, options.upstream)
      for (const warning of exposureWarnings(options, upstream)) yield* Console.error(`rerank: warning: ${warning}`)
      const names = upstream === undefined ? Providers.flagNames : Providers.namesOf(upstream, "--upstream-url")
      const logger = Logger.withConsoleLog(options.logFormat === "json" ? Logger.jsonLogger : Logger.logfmtLogger)
      return yield* Layer.launch(
        announce.pipe(Layer.provide(server), Layer.provide(Tracing.layerFromEnvironment))
      ).pipe(
        // One line per request, in the format asked: this logger alone (the runtime's pretty one would add a
        // five-line block for each).
        Effect.locally(FiberRef.currentLoggers, HashSet.make(logger)),
        // The upstream's configuration problems under the names a user of `serve` sets.
        Effect.mapError(inTermsOf(names))
      )
    })
  ).pipe(
    Command.withDescription(
      "Serve every provider's rerank API over the local reranker, or as a gateway to a provider (--upstream) with a shared quota and score cache; optional fault injection."
    )
  )

/**
 * @since 0.2.0
 * @category commands
 */
export const command: Command.Command<"serve", never, Failure, Parsed> = make()
