/**
 * `rerank serve`: the Cohere-compatible server over the local reranker, with optional key and fault injection.
 *
 * @since 0.1.0
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
  fault: Options.text("fault").pipe(
    Options.repeated,
    Options.withDescription(
      "Inject a fault, repeatable: KIND[:every=N][:p=0.25][:retry-after=S][:ms=M], KIND one of 429, 500, 502, 503, 504, delay, reset, truncate, cut."
    )
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

/** `1000/1m`, `20/1s`, `10/60s`, `5/500ms`: a count per duration. */
export const parseRateLimit = (spec: string): Either.Either<{ limit: number; window: Duration.Duration }, string> => {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(spec)
  if (match === null) return Either.left(`--rate-limit must look like 1000/1m or 20/1s, got "${spec}"`)
  const limit = Number(match[1])
  const count = match[2] === "" ? 1 : Number(match[2])
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[3] as "ms" | "s" | "m" | "h"]
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
      return { layer: LocalReranker.layer(shared).pipe(Layer.provide(stores)), redis }
    }
    const flags: Providers.Flags = {
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
    return { layer, redis }
  })

/**
 * The parsed arguments and options.
 *
 * @since 0.1.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<ReturnType<typeof serveOptions>>

/**
 * @since 0.1.0
 * @category commands
 */
export const make = (
  providers: ReadonlyArray<Registry.Entry> = Registry.providers
): Command.Command<"serve", never, Failure, Parsed> =>
  Command.make("serve", serveOptions(providers), (options) =>
    Effect.gen(function* () {
      // Loaded only for `serve`: the server and Node's HTTP stack would slow every other command's start.
      const { FaultInjection, Gateway, NodeServer, ServerProtocols, Stores }: typeof Server = yield* Effect.promise(
        () => import("@effect-rerank/server")
      )
      const rules = yield* Either.all(options.fault.map(FaultInjection.parseRule)).pipe(
        Either.mapLeft((reason) => new UsageError({ reason: `--fault: ${reason}` }))
      )
      if (Option.isSome(options.apiKey) && Redacted.value(options.apiKey.value).trim() === "") {
        // An empty key would start a server that rejects every request.
        return yield* new UsageError({
          reason: "--api-key (or RERANK_SERVER_API_KEY) is empty: give a key, or leave it out to serve without one."
        })
      }
      const notices = RedisNotices.make(options.redisRequired)
      const { layer: reranker, redis } = yield* upstreamLayer(options, providers, { Gateway, Stores }, notices.watch)
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
      const server = NodeServer.layer({
        port: options.port,
        host: options.host,
        apiKey: Option.getOrUndefined(options.apiKey),
        maxBodyBytes: options.maxBodyBytes,
        faults: { rules, seed: options.seed },
        routes
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
      const names = upstream === undefined ? Providers.flagNames : Providers.namesOf(upstream, "--upstream-url")
      // One logfmt line per request (the runtime's pretty logger spreads each over several).
      return yield* Layer.launch(announce.pipe(Layer.provide(server))).pipe(
        Effect.provide(Logger.logFmt),
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
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<"serve", never, Failure, Parsed> = make()
