/**
 * The `rerank` command line: `query` reranks documents from a file, `serve` runs the Cohere-compatible server,
 * `fuse` fuses ranked lists.
 *
 * @since 0.1.0
 */
import { Batching, Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { CorpusStats, LocalReranker } from "@effect-rerank/local"
import { Fusion, Normalization } from "@effect-rerank/rrf"
import { FaultInjection, NodeServer } from "@effect-rerank/server"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type Failure, UsageError } from "./CliError.js"
import * as Documents from "./Documents.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Runs from "./Runs.js"

const readStdin = Effect.promise(async () => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

// rerank query -----------------------------------------------------------------------------------------------------

const queryArg = Args.text({ name: "query" }).pipe(Args.withDescription("The search query to rank the documents for."))

const queryOptions = {
  file: Options.text("file").pipe(
    Options.withAlias("f"),
    Options.withDescription("File of candidate documents: plain lines, JSONL or a JSON array. - reads stdin.")
  ),
  format: Options.choice("format", ["auto", "lines", "jsonl", "json"]).pipe(
    Options.withDefault("auto" as const),
    Options.withDescription("How to read --file; auto: by extension, then by its first character.")
  ),
  field: Options.text("field").pipe(
    Options.withDefault("text"),
    Options.withDescription("JSON field holding the text; the other fields are kept and printed back.")
  ),
  topN: Options.integer("top-n").pipe(
    Options.withAlias("n"),
    Options.optional,
    Options.withDescription("Keep the best N results.")
  ),
  minScore: Options.float("min-score").pipe(
    Options.optional,
    Options.withDescription("Drop results whose relevance score is below this.")
  ),
  provider: Options.choice("provider", ["auto", "local", "cohere"]).pipe(
    Options.withDefault("auto" as const),
    Options.withDescription("auto: Cohere when COHERE_API_KEY (or CO_API_KEY) is set, else the offline local reranker.")
  ),
  corpus: Options.text("corpus").pipe(
    Options.optional,
    Options.withDescription(
      "Local reranker only: a file of your collection (same formats as --file) to weight rare words above common ones."
    )
  ),
  model: Options.text("model").pipe(
    Options.optional,
    Options.withDescription(`Model name (Cohere default: ${Cohere.defaults.model}).`)
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.optional,
    Options.withDescription(
      "A Cohere-compatible endpoint, e.g. http://127.0.0.1:8080 (default: COHERE_BASE_URL, else Cohere)."
    )
  ),
  apiVersion: Options.choice("api-version", ["v2", "v1"]).pipe(
    Options.withDefault("v2" as const),
    Options.withDescription("Cohere API version.")
  ),
  batchSize: Options.integer("batch-size").pipe(
    Options.withDefault(Batching.defaults.maxDocumentsPerRequest),
    Options.withDescription("Most documents per request; larger sets are split into windows.")
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDefault(Batching.defaults.concurrency),
    Options.withDescription("Most windows in flight at once.")
  ),
  merge: Options.choice("merge", Batching.merges).pipe(
    Options.withDefault(Batching.defaults.merge),
    Options.withDescription("How windows are merged: score (default) or rrf.")
  ),
  output: Options.choice("output", ["table", "json", "jsonl"]).pipe(
    Options.withAlias("o"),
    Options.withDefault("table" as const),
    Options.withDescription("table (cut to the terminal width), json, or jsonl.")
  )
}

type QueryOptions = Command.Command.ParseConfig<typeof queryOptions> & { readonly query: string }

/** The configured `Reranker` layer for the chosen provider. */
export const providerLayer = (options: QueryOptions) =>
  Effect.gen(function* () {
    const batching = {
      maxDocumentsPerRequest: options.batchSize,
      concurrency: options.concurrency,
      merge: options.merge
    }
    const hasKey = Option.isSome(
      yield* Config.option(Cohere.apiKeyConfig).pipe(Effect.orElseSucceed(() => Option.none()))
    )
    const useCohere = options.provider === "cohere" || (options.provider === "auto" && hasKey)
    if (!useCohere) {
      if (Option.isSome(options.baseUrl)) {
        return yield* new UsageError({ reason: "--base-url needs --provider cohere (or COHERE_API_KEY set)." })
      }
      const corpus = Option.isSome(options.corpus)
        ? CorpusStats.fromTexts(
            (yield* Documents.read(options.corpus.value, options.format, options.field, readStdin)).map((d) => d.text)
          )
        : undefined
      return LocalReranker.layer({ ...batching, corpus, model: Option.getOrUndefined(options.model) })
    }
    if (Option.isSome(options.corpus)) {
      return yield* new UsageError({ reason: "--corpus applies to the local reranker only: add --provider local." })
    }
    return Cohere.layerConfig({
      ...batching,
      apiVersion: options.apiVersion,
      model: Option.getOrUndefined(options.model),
      ...(Option.isSome(options.baseUrl) ? { baseUrl: Config.succeed(options.baseUrl) } : {})
    }).pipe(Layer.provide(FetchHttpClient.layer))
  })

const query = Command.make("query", { query: queryArg, ...queryOptions }, (options) =>
  Effect.gen(function* () {
    const documents = yield* Documents.read(options.file, options.format, options.field, readStdin)
    const layer = yield* providerLayer(options)
    const result = yield* Reranker.rerank({
      query: options.query,
      documents,
      toText: (document) => document.text,
      topN: Option.getOrUndefined(options.topN),
      minScore: Option.getOrUndefined(options.minScore),
      model: Option.getOrUndefined(options.model)
    }).pipe(Effect.provide(Layer.merge(layer, Progress.layer())))
    const width = process.stdout.columns ?? 120
    for (const line of Output.render(result, options.output, width)) yield* Console.log(line)
  })
).pipe(Command.withDescription("Rerank candidate documents from a file (or stdin) for a query, best first."))

// rerank serve -----------------------------------------------------------------------------------------------------

const serveOptions = {
  port: Options.integer("port").pipe(
    Options.withAlias("p"),
    Options.withDefault(8080),
    Options.withDescription("Port to listen on; 0 picks a free one.")
  ),
  host: Options.text("host").pipe(
    Options.withDefault("127.0.0.1"),
    Options.withDescription("Address to bind; the default keeps the server on this machine.")
  ),
  apiKey: Options.redacted("api-key").pipe(
    Options.withFallbackConfig(Config.redacted("RERANK_SERVER_API_KEY")),
    Options.optional,
    Options.withDescription("Require Authorization: Bearer <key> (default: RERANK_SERVER_API_KEY, else open).")
  ),
  fault: Options.text("fault").pipe(
    Options.repeated,
    Options.withDescription(
      "Inject a fault, repeatable: KIND[:every=N][:p=0.25][:retry-after=S][:ms=M], KIND one of 429, 500, 502, 503, 504, delay, reset, truncate."
    )
  ),
  seed: Options.integer("seed").pipe(Options.withDefault(1), Options.withDescription("Seed for probabilistic faults.")),
  maxBodyBytes: Options.integer("max-body-bytes").pipe(
    Options.withDefault(10 * 1024 * 1024),
    Options.withDescription("Largest request body; larger gets 413.")
  )
}

const serve = Command.make("serve", serveOptions, (options) =>
  Effect.gen(function* () {
    const rules = yield* Either.all(options.fault.map(FaultInjection.parseRule)).pipe(
      Either.mapLeft((reason) => new UsageError({ reason: `--fault: ${reason}` }))
    )
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
    return yield* Layer.launch(announce.pipe(Layer.provide(server)))
  })
).pipe(
  Command.withDescription(
    "Serve a Cohere-compatible rerank API over the local reranker, with optional fault injection."
  )
)

// rerank fuse ------------------------------------------------------------------------------------------------------

const fuseOptions = {
  runs: Args.text({ name: "run" }).pipe(
    Args.atLeast(1),
    Args.withDescription("Run files: TREC (qid Q0 docid rank score tag) or JSONL ({query?, id, score} per line).")
  ),
  method: Options.choice("method", Fusion.methods).pipe(
    Options.withDefault("rrf" as Fusion.Method),
    Options.withDescription("Fusion method.")
  ),
  k: Options.float("k").pipe(Options.withDefault(Fusion.defaultK), Options.withDescription("RRF constant.")),
  weights: Options.text("weights").pipe(
    Options.optional,
    Options.withDescription("Comma-separated weight per run, e.g. 0.7,0.3.")
  ),
  normalize: Options.choice("normalize", Normalization.normalizations).pipe(
    Options.withDefault("none" as Normalization.Normalization),
    Options.withDescription("Score normalization before score-based methods.")
  ),
  topN: Options.integer("top-n").pipe(
    Options.withAlias("n"),
    Options.optional,
    Options.withDescription("Keep the best N per query.")
  ),
  output: Options.choice("output", ["trec", "jsonl"]).pipe(
    Options.withAlias("o"),
    Options.withDefault("trec" as const),
    Options.withDescription("trec: qid Q0 docid rank score tag; jsonl: one object per result with contributions.")
  )
}

const fuse = Command.make("fuse", fuseOptions, (options) =>
  Effect.gen(function* () {
    const runs = yield* Effect.forEach(options.runs, Runs.read)
    const weights = Option.isSome(options.weights) ? options.weights.value.split(",").map(Number) : undefined
    const queries = Array.from(new Set(runs.flatMap((run) => Array.from(run.keys()))))
    for (const queryId of queries) {
      const fused = yield* Fusion.fuse(
        runs.map((run) => run.get(queryId) ?? []),
        {
          key: (entry) => entry.id,
          score: (entry) => entry.score,
          method: options.method,
          k: options.k,
          weights,
          normalize: options.normalize,
          topN: Option.getOrUndefined(options.topN)
        }
      ).pipe(Effect.mapError((error) => new UsageError({ reason: error.message })))
      for (const f of fused) {
        yield* Console.log(
          options.output === "trec"
            ? `${queryId} Q0 ${f.key} ${f.rank} ${f.score} fused-${options.method}`
            : JSON.stringify({
                query: queryId,
                id: f.key,
                rank: f.rank,
                score: f.score,
                contributions: f.contributions.map((c) => ({
                  run: options.runs[c.ranking],
                  rank: c.rank,
                  score: Option.getOrNull(c.score)
                }))
              })
        )
      }
    }
  })
).pipe(Command.withDescription("Fuse ranked lists (e.g. BM25 and vector results) with RRF or another fusion method."))

// rerank -----------------------------------------------------------------------------------------------------------

const rerank = Command.make("rerank").pipe(
  Command.withDescription(
    "Rerank documents with Cohere or the offline local reranker, serve a Cohere-compatible API, fuse rankings."
  ),
  Command.withSubcommands([query, serve, fuse])
)

/**
 * Runs the command line on `process.argv` (the node and script paths first, as Node gives it).
 *
 * @since 0.1.0
 * @category running
 */
export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<void, Failure | ValidationError.ValidationError, CliApp.CliApp.Environment> = Command.run(rerank, {
  name: "rerank",
  version: "0.1.0"
})
