/**
 * `rerank query <query> --file <path|->`: rerank candidate documents for a query and print them best first, with the
 * local reranker offline or Cohere when a key is set.
 *
 * @since 0.2.0
 */
import { Batching, type Billing, type Fields, Reranker, type RerankResult } from "@effect-rerank/core"
import { Cohere, Registry } from "@effect-rerank/http"
import { CorpusStats, LocalReranker } from "@effect-rerank/local"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type Failure, inTermsOf, UsageError } from "./CliError.js"
import * as Providers from "./Providers.js"
import * as Documents from "./Documents.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"

const queryArg = Args.text({ name: "query" }).pipe(Args.withDescription("The search query to rank the documents for."))

/** The flags, with `--provider`'s choices and help from `providers`. */
const queryOptions = (providers: ReadonlyArray<Registry.Entry>) => ({
  file: Options.text("file").pipe(
    Options.withAlias("f"),
    Options.withDescription("File of candidate documents: plain lines, JSONL or a JSON array. - reads stdin.")
  ),
  format: Options.choice("format", ["auto", "lines", "jsonl", "json"]).pipe(
    Options.withDefault("auto" as const),
    Options.withDescription("How to read --file; auto: by extension, then by its first character. Default: auto.")
  ),
  field: Options.text("field").pipe(
    Options.withDefault("text"),
    Options.withDescription("JSON field holding the text; the other fields are kept and printed back. Default: text.")
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
  provider: Options.choice("provider", ["auto", "local", ...providers.map((entry) => entry.name)]).pipe(
    Options.withDefault("auto"),
    Options.withDescription(
      "auto: Cohere when COHERE_API_KEY (or CO_API_KEY) is set, else the offline local reranker. The others read " +
        `their own variables: ${Providers.help(providers)}. Default: auto.`
    )
  ),
  corpus: Options.text("corpus").pipe(
    Options.optional,
    Options.withDescription(
      "Local reranker only: a file of your collection (same formats as --file) to weight rare words above common ones."
    )
  ),
  model: Options.text("model").pipe(
    Options.optional,
    Options.withDescription(`Model name (default: the provider's own; Cohere's is ${Cohere.defaults.model}).`)
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.optional,
    Options.withDescription(
      "The provider's endpoint, e.g. http://127.0.0.1:8080 for rerank serve (default: COHERE_BASE_URL, JINA_BASE_URL, ... else the provider's own)."
    )
  ),
  allowInsecureHttp: Options.boolean("allow-insecure-http").pipe(
    Options.withDescription(
      "Allow a plain http:// --base-url on a host that is not this machine (the key goes in clear)."
    )
  ),
  apiVersion: Options.choice("api-version", ["v2", "v1"]).pipe(
    Options.optional,
    Options.withDescription("Cohere API version (Cohere only). Default: v2.")
  ),
  batchSize: Options.integer("batch-size").pipe(
    Options.optional,
    Options.withDescription(
      `Most documents per request; larger sets are split into windows. Default: the provider's own limit (${Batching.defaults.maxDocumentsPerRequest} for Cohere, 32 for TEI, ...).`
    )
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDefault(Batching.defaults.concurrency),
    Options.withDescription(`Most windows in flight at once. Default: ${Batching.defaults.concurrency}.`)
  ),
  merge: Options.choice("merge", Batching.merges).pipe(
    Options.withDefault(Batching.defaults.merge),
    Options.withDescription("How windows are merged: score or rrf. Default: score.")
  ),
  chunkSize: Options.integer("chunk-size").pipe(
    Options.optional,
    Options.withDescription(
      "Split long documents into chunks of this many words (or characters, --chunk-unit), score the chunks, and rank each document by its best chunk (--chunk-aggregate); results say which chunk decided."
    )
  ),
  chunkOverlap: Options.integer("chunk-overlap").pipe(
    Options.optional,
    Options.withDescription("Units each chunk shares with the one before it. Default: half of --chunk-size.")
  ),
  chunkUnit: Options.choice("chunk-unit", ["words", "characters"]).pipe(
    Options.withDefault("words" as const),
    Options.withDescription("What --chunk-size counts. Default: words.")
  ),
  chunkAggregate: Options.choice("chunk-aggregate", ["max", "sumTop2", "first"]).pipe(
    Options.withDefault("max" as const),
    Options.withDescription("A document's score from its chunks': max, sumTop2 or first. Default: max.")
  ),
  fields: Options.text("fields").pipe(
    Options.optional,
    Options.withDescription(
      "JSON input: the fields the model reads, e.g. title,meta.brand (weights for the local reranker: title:2); sent as each provider takes them (rank_fields, YAML for Cohere v2, name: value lines)."
    )
  ),
  instruction: Options.text("instruction").pipe(
    Options.optional,
    Options.withDescription(
      'Steer relevance in words ("prefer primary sources"), sent the way the model documents it (Voyage rerank-2.5: ahead of the query); refused by a model that documents none, unless --instruction-mode prepend.'
    )
  ),
  instructionMode: Options.choice("instruction-mode", ["native", "prepend"]).pipe(
    Options.withDefault("native" as const),
    Options.withDescription(
      "native: where the model documents it, else refused; prepend: always written ahead of the query text. Default: native."
    )
  ),
  showCost: Options.boolean("show-cost").pipe(
    Options.withDescription(
      "After the results, print on stderr what the call was billed (in the provider's unit, reported or computed by its rule) and its cost in USD."
    )
  ),
  price: Options.text("price").pipe(
    Options.optional,
    Options.withDescription(
      "USD/PER: the price of the provider's billed unit, e.g. 2/1000 for $2 per 1,000 search units (default: the provider's published price, where known)."
    )
  ),
  output: Options.choice("output", ["table", "json", "jsonl"]).pipe(
    Options.withAlias("o"),
    Options.withDefault("table" as const),
    Options.withDescription("table (cut to the terminal width), json, or jsonl. Default: table.")
  )
})

/**
 * The configured `Reranker` layer for the chosen provider, and the names its messages use for the options.
 *
 * @since 0.2.0
 * @category providers
 */
export const providerLayer = (options: Parsed, providers: ReadonlyArray<Registry.Entry> = Registry.providers) =>
  Effect.gen(function* () {
    const batching = {
      ...(Option.isSome(options.batchSize) ? { maxDocumentsPerRequest: options.batchSize.value } : {}),
      concurrency: options.concurrency,
      merge: options.merge
    }
    const chosen = Providers.byName(providers, options.provider)
    // `auto` and `cohere` price Cohere's unit; the local reranker refuses a price below.
    const priced = yield* pricesOf(options, chosen ?? Providers.byName(Registry.providers, "cohere")!)
    const common: Providers.Flags = {
      ...(priced === undefined ? {} : { prices: Config.succeed(priced) }),
      instructionMode: Config.succeed(options.instructionMode),
      ...(Option.isSome(options.batchSize) ? { maxDocumentsPerRequest: Config.succeed(options.batchSize.value) } : {}),
      concurrency: Config.succeed(batching.concurrency),
      merge: Config.succeed(batching.merge),
      allowInsecureHttp: Config.succeed(options.allowInsecureHttp),
      ...(Option.isSome(options.baseUrl) ? { baseUrl: Config.succeed(options.baseUrl.value) } : {})
    }
    if (chosen !== undefined && chosen.name !== "cohere") {
      if (Option.isSome(options.apiVersion)) {
        return yield* new UsageError({
          reason: `--api-version applies to Cohere (--provider cohere); ${chosen.title} has one API version.`
        })
      }
      if (Option.isSome(options.corpus)) {
        return yield* new UsageError({ reason: "--corpus applies to the local reranker only: add --provider local." })
      }
      return {
        layer: chosen.layerConfig(common).pipe(Layer.provide(FetchHttpClient.layer)),
        names: Providers.namesOf(chosen)
      }
    }
    // Read once: the key found here is handed to the layer, which does not read the environment again.
    const key = yield* Config.option(Cohere.apiKeyConfig).pipe(Effect.orElseSucceed(() => Option.none()))
    const useCohere = options.provider === "cohere" || (options.provider === "auto" && Option.isSome(key))
    if (!useCohere) {
      // The local reranker: the flags of an HTTP provider name the ones they apply to.
      const http = `--provider ${providers.map((entry) => entry.name).join(", ")}`
      if (Option.isSome(options.baseUrl)) {
        return yield* new UsageError({
          reason: `--base-url applies to a provider with an endpoint (${http}); the local reranker runs in this process.`
        })
      }
      if (Option.isSome(options.model)) {
        return yield* new UsageError({
          reason: `--model applies to a provider with models (${http}): the local reranker has one model (local-bm25); drop --model or choose a provider.`
        })
      }
      if (options.allowInsecureHttp) {
        return yield* new UsageError({
          reason: `--allow-insecure-http applies to a provider with an endpoint (${http}).`
        })
      }
      if (Option.isSome(options.apiVersion)) {
        return yield* new UsageError({ reason: "--api-version applies to Cohere (--provider cohere)." })
      }
      if (Option.isSome(options.price)) {
        return yield* new UsageError({
          reason: "--price applies to a provider that bills: the local reranker is free."
        })
      }
      const corpus = Option.isSome(options.corpus)
        ? CorpusStats.fromTexts(
            (yield* Documents.read(
              options.corpus.value,
              options.format,
              options.field,
              "Pass --corpus with a readable file of your collection."
            )).map((d) => d.text)
          )
        : undefined
      return {
        layer: LocalReranker.layer({ ...batching, corpus, instructionMode: options.instructionMode }),
        names: Providers.flagNames
      }
    }
    if (Option.isSome(options.corpus)) {
      return yield* new UsageError({ reason: "--corpus applies to the local reranker only: add --provider local." })
    }
    return {
      layer: Cohere.layerConfig({
        ...common,
        apiVersion: Config.succeed(Option.getOrElse(options.apiVersion, () => "v2" as const)),
        ...(Option.isSome(key) ? { apiKey: Config.succeed(key.value) } : {})
      }).pipe(Layer.provide(FetchHttpClient.layer)),
      names: Providers.namesOf(Providers.byName(Registry.providers, "cohere")!)
    }
  })

/** `--price USD/PER` as a price of the provider's billed unit, for any model. */
export const parsePrice = (spec: string, unit: Billing.Unit): Either.Either<Billing.Prices, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(spec)
  const per = match?.[2] === undefined ? 1 : Number(match[2])
  return match === null || per <= 0
    ? Either.left(`--price must look like USD/PER, e.g. 2/1000 for $2 per 1,000 ${unit}, got "${spec}"`)
    : Either.right({ "*": { unit, usd: Number(match[1]), per } })
}

const pricesOf = (options: Parsed, entry: Registry.Entry) =>
  Effect.gen(function* () {
    if (Option.isNone(options.price)) return undefined
    const unit = entry.protocol.billing?.unit
    if (unit === undefined) {
      return yield* new UsageError({ reason: `--price: ${entry.title} reports no billed units to price.` })
    }
    return yield* Either.mapLeft(parsePrice(options.price.value, unit), (reason) => new UsageError({ reason }))
  })

/** `--fields title,meta.brand:2`: names or dotted paths, each with an optional weight after a colon. */
export const parseFields = (spec: string) =>
  Effect.gen(function* () {
    const fields: Array<Fields.Field> = []
    for (const part of spec.split(",").map((p) => p.trim())) {
      const match = /^([^:\s]+)(?::(\d+(?:\.\d+)?))?$/.exec(part)
      if (match === null) {
        return yield* new UsageError({
          reason: `--fields must look like title,meta.brand:2 (names or dotted paths, an optional :weight), got "${spec}".`
        })
      }
      fields.push(match[2] === undefined ? match[1] : { path: match[1], weight: Number(match[2]) })
    }
    return fields
  })

/** A document as an object for `--fields`: its JSON record, or `{ text }` for a plain line. */
const recordOf = (document: Documents.Document): Readonly<Record<string, unknown>> =>
  document.record ?? { text: document.text }

/** `--chunk-*` as the call's chunking, or none without `--chunk-size`. */
const chunkOf = (options: Parsed) =>
  Effect.gen(function* () {
    if (Option.isNone(options.chunkSize)) {
      if (Option.isSome(options.chunkOverlap)) {
        return yield* new UsageError({ reason: "--chunk-overlap needs --chunk-size." })
      }
      return undefined
    }
    const size = options.chunkSize.value
    return {
      size,
      overlap: Option.getOrElse(options.chunkOverlap, () => Math.floor(size / 2)),
      unit: options.chunkUnit,
      aggregate: options.chunkAggregate
    }
  })

/** The `--show-cost` line: what was billed, and the cost or why there is none. */
export const costLine = (usage: RerankResult.Usage, model: string): string => {
  const billed = usage.billed
  if (billed === undefined) return `billed: nothing reported (${model}); no cost`
  const what = `billed: ${billed.quantity} ${billed.unit} (${billed.source})`
  return usage.cost === undefined
    ? `${what}; cost unknown: no price for ${model} in ${billed.unit}, give --price USD/PER`
    : `${what}; cost $${usage.cost.toFixed(6)}`
}

const configOf = (providers: ReadonlyArray<Registry.Entry>) => ({ query: queryArg, ...queryOptions(providers) })

/**
 * The parsed arguments and options.
 *
 * @since 0.2.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<ReturnType<typeof configOf>>

/**
 * The command over `providers` (default: every provider of the registry).
 *
 * @since 0.2.0
 * @category commands
 */
export const make = (
  providers: ReadonlyArray<Registry.Entry> = Registry.providers
): Command.Command<"query", FileSystem.FileSystem, Failure, Parsed> =>
  Command.make("query", configOf(providers), (options) =>
    Effect.gen(function* () {
      // With --fields the records are read whole: no text field is needed.
      const documents = yield* Documents.read(
        options.file,
        options.format,
        Option.isSome(options.fields) ? undefined : options.field
      )
      const { layer, names } = yield* providerLayer(options, providers)
      const chunk = yield* chunkOf(options)
      const fields = Option.isSome(options.fields) ? yield* parseFields(options.fields.value) : undefined
      const common = {
        query: options.query,
        ...(chunk === undefined ? {} : { chunk }),
        ...(Option.isSome(options.instruction) ? { instruction: options.instruction.value } : {}),
        topN: Option.getOrUndefined(options.topN),
        minScore: Option.getOrUndefined(options.minScore),
        model: Option.getOrUndefined(options.model)
      }
      const ranked =
        fields === undefined
          ? Reranker.rerank({ ...common, documents, toText: (document) => document.text })
          : // The records themselves are ranked (a provider with rank fields gets them as objects), then each result
            // is given back its line.
            Effect.map(
              Reranker.rerank({ ...common, documents: documents.map(recordOf), fields }),
              (result): RerankResult.RerankResult<Documents.Document> => ({
                ...result,
                results: result.results.map((r) => ({ ...r, document: documents[r.index] }))
              })
            )
      const result = yield* ranked.pipe(
        Effect.provide(Layer.merge(layer, Progress.layer())),
        // The library checks every value; its messages are said here under the flags and variables of the provider.
        Effect.mapError(inTermsOf(names))
      )
      // Cut to the terminal's width only on a terminal that reports one; piped output is never cut.
      const width = process.stdout.isTTY && (process.stdout.columns ?? 0) > 0 ? process.stdout.columns : Infinity
      for (const line of Output.render(result, options.output, width)) yield* Console.log(line)
      if (options.showCost) yield* Console.error(costLine(result.usage, result.model))
    })
  ).pipe(Command.withDescription("Rerank candidate documents from a file (or stdin) for a query, best first."))

/**
 * @since 0.2.0
 * @category commands
 */
export const command: Command.Command<"query", FileSystem.FileSystem, Failure, Parsed> = make()
