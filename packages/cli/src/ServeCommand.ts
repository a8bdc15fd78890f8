/**
 * `rerank serve`: the Cohere-compatible server over the local reranker, with optional key and fault injection.
 *
 * @since 0.1.0
 */
import type * as Server from "@effect-rerank/server"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type Failure, UsageError } from "./CliError.js"

const serveOptions = {
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
  )
}

const config = serveOptions

/**
 * The parsed arguments and options.
 *
 * @since 0.1.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<typeof config>

/**
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<"serve", never, Failure, Parsed> = Command.make("serve", config, (options) =>
  Effect.gen(function* () {
    // Loaded only for `serve`: the server and Node's HTTP stack would slow every other command's start.
    const { FaultInjection, NodeServer }: typeof Server = yield* Effect.promise(() => import("@effect-rerank/server"))
    const rules = yield* Either.all(options.fault.map(FaultInjection.parseRule)).pipe(
      Either.mapLeft((reason) => new UsageError({ reason: `--fault: ${reason}` }))
    )
    if (Option.isSome(options.apiKey) && Redacted.value(options.apiKey.value).trim() === "") {
      // An empty key would start a server that rejects every request.
      return yield* new UsageError({
        reason: "--api-key (or RERANK_SERVER_API_KEY) is empty: give a key, or leave it out to serve without one."
      })
    }
    const server = NodeServer.layerLocal({
      port: options.port,
      host: options.host,
      apiKey: Option.getOrUndefined(options.apiKey),
      maxBodyBytes: options.maxBodyBytes,
      faults: { rules, seed: options.seed }
    })
    const announce = Layer.effectDiscard(
      HttpServer.addressFormattedWith((address) =>
        Console.error(
          `rerank server (local reranker) listening on ${address}: POST /v2/rerank, POST /v1/rerank` +
            (Option.isSome(options.apiKey) ? " (bearer key required)" : "") +
            (rules.length > 0 ? `, ${rules.length} fault rule(s)` : "")
        )
      )
    )
    if (!(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
      return yield* new UsageError({ reason: `--port must be 0 to 65535 (0 picks a free one), got ${options.port}.` })
    }
    // One logfmt line per request (the runtime's pretty logger spreads each over several).
    return yield* Layer.launch(announce.pipe(Layer.provide(server))).pipe(Effect.provide(Logger.logFmt))
  })
).pipe(
  Command.withDescription(
    "Serve a Cohere-compatible rerank API over the local reranker, with optional fault injection."
  )
)
