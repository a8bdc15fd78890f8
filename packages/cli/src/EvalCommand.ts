/**
 * `rerank eval`: which reranker for my data. Reranks a first stage's top candidates with each `--reranker`, measures
 * them as trec_eval would, tests every difference (paired t-test and permutation test, Holm-adjusted), counts cost
 * and latency, prints the table and writes the report. Data as a BEIR folder (`--beir`) or TREC files
 * (`--topics`, `--qrels`, `--run`, `--corpus`). A run cut short resumes: finished queries are kept in `--state`.
 *
 * @since 0.2.0
 */
import { Reranker } from "@effect-rerank/core"
import { Datasets, Evaluation, Metrics, Report } from "@effect-rerank/eval"
import { Registry } from "@effect-rerank/http"
import { CorpusStats, LocalReranker } from "@effect-rerank/local"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type Failure, InputError, inTermsOf, UsageError } from "./CliError.js"
import * as Providers from "./Providers.js"

/**
 * A reranker as `--reranker` names it: `local`, `local:idf` (term weights from the dataset's corpus), or a provider
 * of the registry with an optional model and base URL: `cohere:rerank-v3.5`, `jina@http://127.0.0.1:8080/jina`,
 * `bedrock:cohere.rerank-v3-5:0`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Spec {
  /** The system's name in the report: the label before `=`, else the spec as written. */
  readonly text: string
  readonly provider: string
  readonly model?: string | undefined
  readonly baseUrl?: string | undefined
}

/**
 * A `--reranker` value, read: an optional `label=` first (the name in the report, and in the store of finished
 * queries), the base URL after the `@` that starts one, the model after the first `:`.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseSpec = (
  written: string,
  providers: ReadonlyArray<Registry.Entry> = Registry.providers
): Spec | string => {
  const labelled = /^([^=:@]+)=(.+)$/.exec(written)
  const text = labelled === null ? written : labelled[2]
  const at = text.search(/@https?:\/\//)
  const head = at < 0 ? text : text.slice(0, at)
  const baseUrl = at < 0 ? undefined : text.slice(at + 1)
  const colon = head.indexOf(":")
  const provider = colon < 0 ? head : head.slice(0, colon)
  const model = colon < 0 ? undefined : head.slice(colon + 1)
  const names = ["local", ...providers.map((p) => p.name)]
  if (!names.includes(provider)) {
    return `--reranker ${text}: unknown reranker "${provider}"; use local, local:idf, or one of ${names.slice(1).join(", ")} (provider:model@base-url)`
  }
  if (provider === "local") {
    if (baseUrl !== undefined || (model !== undefined && model !== "idf")) {
      return `--reranker ${text}: the local reranker takes local or local:idf (term weights from the dataset's corpus)`
    }
  } else if (model === "") {
    return `--reranker ${text}: a model name after ":" is empty`
  }
  return { text: labelled === null ? written : labelled[1], provider, model, baseUrl }
}

const options = (providers: ReadonlyArray<Registry.Entry>) => ({
  beir: Options.directory("beir").pipe(
    Options.optional,
    Options.withDescription(
      "A BEIR folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv; the first stage from --run, or the one .trec file in its runs/."
    )
  ),
  split: Options.text("split").pipe(
    Options.withDefault("test"),
    Options.withDescription("The BEIR qrels file: qrels/<split>.tsv. Default: test.")
  ),
  topics: Options.file("topics").pipe(
    Options.optional,
    Options.withDescription("TREC files: the topics (qid<TAB>text lines, or TREC <top> blocks).")
  ),
  qrels: Options.file("qrels").pipe(Options.optional, Options.withDescription("TREC files: the qrels.")),
  corpus: Options.file("corpus").pipe(
    Options.optional,
    Options.withDescription("TREC files: the documents' texts (BEIR corpus.jsonl, or id<TAB>text lines).")
  ),
  run: Options.file("run").pipe(
    Options.optional,
    Options.withDescription("The first stage: a TREC run (qid Q0 docno rank score tag) whose top --depth are reranked.")
  ),
  reranker: Options.text("reranker").pipe(
    Options.repeated,
    Options.withDescription(
      `A reranker to evaluate (repeat for several): local, local:idf, or provider[:model][@base-url], optionally named label=...; provider one of ${providers.map((p) => p.name).join(", ")}; each reads its own variables (${Providers.help(providers)}).`
    )
  ),
  depth: Options.integer("depth").pipe(
    Options.withDefault(100),
    Options.withDescription("Candidates per query, from the top of the first stage. Default: 100.")
  ),
  metrics: Options.text("metrics").pipe(
    Options.withDefault("ndcg@10,map@100,mrr,p@10"),
    Options.withDescription(
      "Measures, the first the primary one: ndcg@k, map, map@k, mrr, p@k, recall@k, r-precision (or trec_eval's names). Default: ndcg@10,map@100,mrr,p@10."
    )
  ),
  report: Options.directory("report").pipe(
    Options.optional,
    Options.withDescription("Write report.html (self-contained), results.json and per-query.csv into this folder.")
  ),
  state: Options.directory("state").pipe(
    Options.optional,
    Options.withDescription(
      "Where finished queries are kept, so that a run cut short resumes. Default: <report>/.state, else .rerank-eval/."
    )
  ),
  seed: Options.integer("seed").pipe(
    Options.withDefault(42),
    Options.withDescription("Seed of the permutation test and the bootstrap. Default: 42.")
  ),
  trials: Options.integer("trials").pipe(
    Options.withDefault(10_000),
    Options.withDescription("Draws of the permutation test. Default: 10000.")
  ),
  allowInsecureHttp: Options.boolean("allow-insecure-http").pipe(
    Options.withDescription(
      "Allow a plain http:// base URL on a host that is not this machine (the key goes in clear)."
    )
  )
})

const configOf = (providers: ReadonlyArray<Registry.Entry>) => options(providers)

/**
 * @since 0.2.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<ReturnType<typeof configOf>>

/** The dataset, from a BEIR folder or TREC files, and the path its errors are said under. */
const datasetOf = (parsed: Parsed) =>
  Effect.gen(function* () {
    const trec = [parsed.topics, parsed.qrels, parsed.corpus]
    if (Option.isSome(parsed.beir)) {
      if (trec.some(Option.isSome)) {
        return yield* new UsageError({
          reason: "give either --beir or the TREC files (--topics, --qrels, --corpus), not both."
        })
      }
      const dir = parsed.beir.value
      return yield* Effect.mapError(
        Datasets.fromBeir(dir, { split: parsed.split, run: Option.getOrUndefined(parsed.run) }),
        (error) => new InputError({ path: dir, reason: error.reason })
      )
    }
    if (!trec.every(Option.isSome) || Option.isNone(parsed.run)) {
      return yield* new UsageError({
        reason:
          "rerank eval needs data: --beir <folder> (and --run unless its runs/ has one), or --topics, --qrels, --run and --corpus."
      })
    }
    const files = {
      topics: Option.getOrThrow(parsed.topics),
      qrels: Option.getOrThrow(parsed.qrels),
      corpus: Option.getOrThrow(parsed.corpus),
      run: parsed.run.value
    }
    return yield* Effect.mapError(
      Datasets.fromTrec(files),
      (error) => new InputError({ path: files.run, reason: error.reason })
    )
  })

/** A spec's layer, built now (its configuration errors said under its flags and variables), for the whole run. */
const systemOf = (spec: Spec, dataset: Evaluation.Dataset, parsed: Parsed, providers: ReadonlyArray<Registry.Entry>) =>
  Effect.gen(function* () {
    const layer =
      spec.provider === "local"
        ? LocalReranker.layer(spec.model === "idf" ? { corpus: CorpusStats.fromTexts(dataset.corpus.values()) } : {})
        : Providers.byName(providers, spec.provider)!
            .layerConfig({
              ...(spec.model === undefined ? {} : { model: Config.succeed(spec.model) }),
              ...(spec.baseUrl === undefined ? {} : { baseUrl: Config.succeed(spec.baseUrl) }),
              allowInsecureHttp: Config.succeed(parsed.allowInsecureHttp)
            })
            .pipe(Layer.provide(FetchHttpClient.layer))
    const names =
      spec.provider === "local"
        ? Providers.flagNames
        : { ...Providers.namesOf(Providers.byName(providers, spec.provider)!), baseUrl: `--reranker ${spec.text}` }
    const context = yield* Effect.mapError(Layer.build(layer), inTermsOf(names))
    return {
      name: spec.text,
      layer: Layer.succeed(Reranker.Reranker, Context.get(context, Reranker.Reranker))
    } satisfies Evaluation.System
  })

/** A progress line with its ETA on a terminal: rewritten in place, ended when a system is done. */
const progressOf = (stream: NodeJS.WriteStream = process.stderr) => {
  if (!stream.isTTY) return undefined
  let started = Date.now()
  let current = ""
  return (p: Evaluation.Progress) =>
    Effect.sync(() => {
      if (p.system !== current) {
        current = p.system
        started = Date.now()
      }
      const ran = p.done - p.resumed
      const perQuery = ran === 0 ? 0 : (Date.now() - started) / ran
      const eta = Math.round((perQuery * (p.total - p.done)) / 1000)
      const width = 24
      const filled = Math.round((p.done / p.total) * width)
      stream.write(
        `\r${p.system} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.done}/${p.total} queries${p.resumed > 0 ? ` (${p.resumed} resumed)` : ""}, ETA ${eta}s `
      )
      if (p.done === p.total) stream.write("\r\u001b[2K")
    })
}

/** The summary as aligned columns. */
const render = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/**
 * The command over `providers` (default: every provider of the registry).
 *
 * @since 0.2.0
 * @category commands
 */
export const make = (
  providers: ReadonlyArray<Registry.Entry> = Registry.providers
): Command.Command<"eval", FileSystem.FileSystem | Path.Path, Failure, Parsed> =>
  Command.make("eval", configOf(providers), (parsed) =>
    Effect.gen(function* () {
      const measures: Array<Metrics.Measure> = []
      for (const name of parsed.metrics.split(",").filter((m) => m.trim() !== "")) {
        const measure = Metrics.parse(name)
        if (typeof measure === "string") return yield* new UsageError({ reason: `--metrics: ${measure}` })
        measures.push(measure)
      }
      if (measures.length === 0) return yield* new UsageError({ reason: "--metrics names no measure." })
      if (parsed.depth < 1) return yield* new UsageError({ reason: "--depth must be at least 1." })
      if (parsed.trials < 1) return yield* new UsageError({ reason: "--trials must be at least 1." })
      const specs: Array<Spec> = []
      for (const text of parsed.reranker) {
        const spec = parseSpec(text, providers)
        if (typeof spec === "string") return yield* new UsageError({ reason: spec })
        specs.push(spec)
      }
      if (specs.length === 0) {
        return yield* new UsageError({
          reason: "give at least one --reranker to evaluate against the first stage, e.g. --reranker local."
        })
      }
      const dataset = yield* datasetOf(parsed)
      const systems = yield* Effect.forEach(specs, (spec) => systemOf(spec, dataset, parsed, providers))
      const stateDir = Option.getOrElse(parsed.state, () =>
        Option.match(parsed.report, { onNone: () => ".rerank-eval", onSome: (dir) => `${dir}/.state` })
      )
      const store = yield* Evaluation.fileStore(stateDir)
      const results = yield* Evaluation.run(dataset, systems, {
        depth: parsed.depth,
        measures,
        seed: parsed.seed,
        trials: parsed.trials,
        store,
        onProgress: progressOf()
      }).pipe(
        Effect.catchTag("EvaluationError", (error) =>
          Effect.fail(new InputError({ path: dataset.name, reason: error.reason }))
        )
      )
      const { header, rows } = Report.table(results)
      yield* Console.log(
        `${results.dataset}: ${results.queries.length} queries, top ${results.depth} of the first stage reranked; 95% bootstrap intervals; p-values paired, two-sided, Holm-adjusted`
      )
      for (const line of render(header, rows)) yield* Console.log(line)
      if (Option.isSome(parsed.report)) {
        const dir = parsed.report.value
        yield* Report.write(dir, results).pipe(
          Effect.mapError((error) => new InputError({ path: dir, reason: `cannot write the report: ${error.message}` }))
        )
        yield* Console.error(`report: ${dir}/report.html (results.json, per-query.csv)`)
      }
    }).pipe(Effect.scoped)
  ).pipe(
    Command.withDescription(
      "Which reranker for your data: rerank a first stage's top candidates with each --reranker, measure them as trec_eval does, test the differences, count cost and latency, and write a report."
    )
  )

/**
 * @since 0.2.0
 * @category commands
 */
export const command = make()
