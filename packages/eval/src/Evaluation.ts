/**
 * Which reranker for my data: each system reranks the first stage's top `depth` candidates of every query, and is
 * measured against the judgments as trec_eval measures it, per query and on average with a bootstrap interval;
 * every pair (each reranker against the first stage, and the rerankers against each other) is tested with the paired
 * t-test and the paired randomization test, Holm-adjusted across the comparisons of a measure; and what each system
 * cost is counted from the usage model (requests, documents sent, cache hits, billed units, USD) with its latency
 * per query (p50 / p95).
 *
 * Rerankers are any `Reranker` layers (a provider with its quota, cache, retries and fallback; the local reranker):
 * the same as `rerank query` builds. A `Store` keeps each finished query, so that a run cut short resumes where it
 * stopped.
 *
 * @since 0.2.0
 */
import { Billing, Reranker, type RerankError } from "@effect-rerank/core"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Metrics from "./Metrics.js"
import * as Significance from "./Significance.js"

/**
 * What is evaluated: the queries, the documents' texts, the judgments and the first stage's ranking.
 *
 * @since 0.2.0
 * @category models
 */
export interface Dataset {
  readonly name: string
  readonly queries: ReadonlyMap<string, string>
  /** Document id -> the text a reranker reads. */
  readonly corpus: ReadonlyMap<string, string>
  readonly qrels: Metrics.Qrels
  /** The first stage's run: its candidates and their scores. */
  readonly firstStage: Metrics.Run
}

/**
 * A reranker under evaluation: its name in the report and its layer.
 *
 * @since 0.2.0
 * @category models
 */
export interface System {
  readonly name: string
  readonly layer: Layer.Layer<Reranker.Reranker, unknown>
}

/**
 * One query reranked by one system, as kept for resuming and reported per query.
 *
 * @since 0.2.0
 * @category models
 */
export interface Finished {
  readonly query: string
  /** Document ids, best first. */
  readonly ranking: ReadonlyArray<string>
  /** The reranker's scores, in ranking order. */
  readonly scores: ReadonlyArray<number>
  readonly latencyMs: number
  readonly requests: number
  readonly sentDocuments: number
  readonly cachedDocuments: number
  readonly billed?: Billing.Billed | undefined
  readonly cost?: number | undefined
}

/**
 * Where finished queries are kept between runs (`fileStore` keeps them as JSON lines; `memoryStore` for tests). A
 * store is keyed by the system's name and what decides its answers (the dataset, the depth).
 *
 * @since 0.2.0
 * @category models
 */
export interface Store {
  readonly load: (key: string) => Effect.Effect<ReadonlyArray<Finished>>
  readonly save: (key: string, finished: Finished) => Effect.Effect<void>
}

/**
 * A store in memory.
 *
 * @since 0.2.0
 * @category stores
 */
export const memoryStore = (): Store => {
  const kept = new Map<string, Array<Finished>>()
  return {
    load: (key) => Effect.sync(() => [...(kept.get(key) ?? [])]),
    save: (key, finished) =>
      Effect.sync(() => {
        kept.set(key, [...(kept.get(key) ?? []), finished])
      })
  }
}

/** A file name for a store key: readable, and unique by a hash of the whole key. */
const fileNameOf = (key: string): string => {
  let hash = 0x811c9dc5
  for (const char of key) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return `${key.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80)}-${hash.toString(16)}.jsonl`
}

/**
 * A store of JSON lines in `dir`, a file per key, appended after each query: a run cut short (an error, Ctrl-C)
 * keeps every query it finished. A line that does not parse (the last one, cut off) is read as not finished.
 *
 * @since 0.2.0
 * @category stores
 */
export const fileStore = (dir: string): Effect.Effect<Store, never, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const fileOf = (key: string) => path.join(dir, fileNameOf(key))
    return {
      load: (key) =>
        fs.readFileString(fileOf(key)).pipe(
          Effect.map((text) =>
            text.split("\n").flatMap((line) => {
              try {
                return line.trim() === "" ? [] : [JSON.parse(line) as Finished]
              } catch {
                return []
              }
            })
          ),
          Effect.orElseSucceed(() => [])
        ),
      save: (key, finished) =>
        fs.makeDirectory(dir, { recursive: true }).pipe(
          Effect.zipRight(fs.writeFileString(fileOf(key), JSON.stringify(finished) + "\n", { flag: "a" })),
          // A query that cannot be kept is only run again next time: the evaluation itself goes on.
          Effect.orElse(() => Effect.logWarning(`could not keep a finished query in ${dir}`))
        )
    } satisfies Store
  })

/**
 * Progress of a run, after each query of each system.
 *
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  readonly system: string
  readonly done: number
  readonly total: number
  /** Queries found finished in the store, not run again. */
  readonly resumed: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Candidates per query, from the top of the first stage. Default 100. */
  readonly depth?: number | undefined
  /** Measures, the first the primary one. Default `ndcg@10`, `map@100`, `mrr`, `p@10`. */
  readonly measures?: ReadonlyArray<Metrics.Measure> | undefined
  /** Seed of the randomization test and the bootstrap. Default 42. */
  readonly seed?: number | undefined
  /** Draws of the randomization test. Default 10,000. */
  readonly trials?: number | undefined
  /** Resamples of the bootstrap. Default 2,000. */
  readonly samples?: number | undefined
  readonly store?: Store | undefined
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
}

/**
 * The default measures.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultMeasures: ReadonlyArray<Metrics.Measure> = ["ndcg@10", "map@100", "mrr", "p@10"].map(
  (name) => Metrics.parse(name) as Metrics.Measure
)

/**
 * What the data does not allow (no query left to evaluate, a candidate without text), or a reranker that could not
 * be built.
 *
 * @since 0.2.0
 * @category errors
 */
export class EvaluationError extends Data.TaggedError("EvaluationError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/**
 * One system's results.
 *
 * @since 0.2.0
 * @category models
 */
export interface SystemResult {
  readonly name: string
  readonly kind: "first-stage" | "reranker"
  /** Measure -> mean and 95% bootstrap interval. */
  readonly measures: Readonly<Record<string, Significance.Interval>>
  /** Query -> measure -> value. */
  readonly perQuery: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly usage: {
    readonly requests: number
    readonly sentDocuments: number
    readonly cachedDocuments: number
    /** Summed when every query was billed in one unit. */
    readonly billed?: Billing.Billed | undefined
    /** USD, when every query has a cost. */
    readonly cost?: number | undefined
  }
  /** Milliseconds per query; absent for the first stage. */
  readonly latency?: { readonly p50: number; readonly p95: number; readonly mean: number } | undefined
  /** Query -> its latency, for the report's per-query table. */
  readonly latencyPerQuery?: Readonly<Record<string, number>> | undefined
}

/**
 * A paired comparison of two systems on one measure.
 *
 * @since 0.2.0
 * @category models
 */
export interface Comparison {
  readonly measure: string
  readonly a: string
  readonly b: string
  /** Mean of `a - b` over the queries. */
  readonly meanDifference: number
  readonly wins: number
  readonly ties: number
  readonly losses: number
  readonly tTest: { readonly p: number; readonly adjusted: number }
  readonly randomization: { readonly p: number; readonly adjusted: number }
}

/**
 * Everything measured, as `results.json` holds it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Results {
  readonly dataset: string
  readonly depth: number
  readonly measures: ReadonlyArray<string>
  readonly queries: ReadonlyArray<string>
  readonly seed: number
  readonly trials: number
  readonly systems: ReadonlyArray<SystemResult>
  readonly comparisons: ReadonlyArray<Comparison>
}

/** The nearest-rank percentile of sorted values. */
const percentile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]

const runOf = (finished: ReadonlyArray<Finished>): Metrics.Run =>
  new Map(
    finished.map((f) => [
      f.query,
      // Scores from the rank: trec_eval then orders exactly as the reranker did (its ties broken by input position).
      new Map(f.ranking.map((doc, i) => [doc, f.ranking.length - i]))
    ])
  )

/** The first stage cut to `depth`, in trec_eval's order. */
const topOf = (scores: ReadonlyMap<string, number>, depth: number): Map<string, number> =>
  new Map(
    Metrics.ranking(scores)
      .slice(0, depth)
      .map((doc) => [doc, scores.get(doc)!])
  )

const resultOf = (
  name: string,
  kind: SystemResult["kind"],
  evaluated: Metrics.Evaluated,
  finished: ReadonlyArray<Finished> | undefined,
  options: { readonly seed: number; readonly samples: number }
): SystemResult => {
  const measures = Object.fromEntries(
    evaluated.measures.map((m) => [
      m.name,
      Significance.bootstrap(
        evaluated.queries.map((q) => evaluated.perQuery.get(q)![m.name]),
        { seed: options.seed, samples: options.samples }
      )
    ])
  )
  const perQuery = Object.fromEntries(evaluated.queries.map((q) => [q, evaluated.perQuery.get(q)!]))
  if (finished === undefined) {
    return { name, kind, measures, perQuery, usage: { requests: 0, sentDocuments: 0, cachedDocuments: 0 } }
  }
  const latencies = finished.map((f) => f.latencyMs).sort((a, b) => a - b)
  const billed = Billing.sum(finished.map((f) => f.billed))
  const costs = finished.map((f) => f.cost)
  const cost = costs.every((c) => c !== undefined) ? costs.reduce((sum, c) => sum + c!, 0) : undefined
  return {
    name,
    kind,
    measures,
    perQuery,
    usage: {
      requests: finished.reduce((sum, f) => sum + f.requests, 0),
      sentDocuments: finished.reduce((sum, f) => sum + f.sentDocuments, 0),
      cachedDocuments: finished.reduce((sum, f) => sum + f.cachedDocuments, 0),
      ...(billed === undefined ? {} : { billed }),
      ...(cost === undefined || finished.length === 0 ? {} : { cost })
    },
    latency: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      mean: latencies.reduce((sum, x) => sum + x, 0) / Math.max(1, latencies.length)
    },
    latencyPerQuery: Object.fromEntries(finished.map((f) => [f.query, f.latencyMs]))
  }
}

/** Every pair to compare: each reranker against the first stage, then the rerankers pairwise. */
const pairsOf = (systems: ReadonlyArray<SystemResult>): Array<readonly [SystemResult, SystemResult]> => {
  const [first, ...rerankers] = systems
  return [
    ...rerankers.map((r) => [r, first] as const),
    ...rerankers.flatMap((a, i) => rerankers.slice(i + 1).map((b) => [a, b] as const))
  ]
}

const compare = (
  systems: ReadonlyArray<SystemResult>,
  queries: ReadonlyArray<string>,
  measures: ReadonlyArray<Metrics.Measure>,
  options: { readonly seed: number; readonly trials: number }
): Array<Comparison> =>
  measures.flatMap(({ name }) => {
    const pairs = pairsOf(systems)
    const tested = pairs.map(([a, b]) => {
      const x = queries.map((q) => a.perQuery[q][name])
      const y = queries.map((q) => b.perQuery[q][name])
      let wins = 0
      let ties = 0
      for (let i = 0; i < x.length; i++) {
        const d = x[i] - y[i]
        if (Math.abs(d) < 1e-12) ties++
        else if (d > 0) wins++
      }
      return {
        a: a.name,
        b: b.name,
        wins,
        ties,
        losses: x.length - wins - ties,
        t: Significance.pairedTTest(x, y),
        r: Significance.randomizationTest(x, y, options)
      }
    })
    const tAdjusted = Significance.holm(tested.map((t) => t.t.p))
    const rAdjusted = Significance.holm(tested.map((t) => t.r.p))
    return tested.map((t, i) => ({
      measure: name,
      a: t.a,
      b: t.b,
      meanDifference: t.t.meanDifference,
      wins: t.wins,
      ties: t.ties,
      losses: t.losses,
      tTest: { p: t.t.p, adjusted: tAdjusted[i] },
      randomization: { p: t.r.p, adjusted: rAdjusted[i] }
    }))
  })

/** The key a system's finished queries are kept under: what decides its answers besides the reranker itself. */
export const storeKey = (dataset: Dataset, system: string, depth: number): string =>
  `${dataset.name}|${system}|depth=${depth}`

/** One system over the queries: those the store has are read back, the others reranked and kept. */
const rerankAll = (
  dataset: Dataset,
  system: System,
  queries: ReadonlyArray<string>,
  candidates: ReadonlyMap<string, ReadonlyArray<string>>,
  depth: number,
  store: Store,
  onProgress: (progress: Progress) => Effect.Effect<void>
) =>
  Effect.gen(function* () {
    const key = storeKey(dataset, system.name, depth)
    const kept = new Map((yield* store.load(key)).map((f) => [f.query, f]))
    // Built once for all the queries, in this scope: its connections (a Redis quota, a cache) live as long as the run.
    const reranker = Context.get(
      yield* Effect.mapError(
        Layer.build(system.layer),
        (cause) => new EvaluationError({ reason: `${system.name}: the reranker could not be built: ${String(cause)}` })
      ),
      Reranker.Reranker
    )
    const resumed = queries.filter((q) => kept.has(q)).length
    const finished: Array<Finished> = []
    for (const query of queries) {
      const known = kept.get(query)
      if (known !== undefined) {
        finished.push(known)
        continue
      }
      const docs = candidates.get(query)!
      const start = yield* Clock.currentTimeMillis
      const result = yield* reranker.rerank({
        query: dataset.queries.get(query)!,
        documents: docs.map((doc) => dataset.corpus.get(doc)!)
      })
      const latencyMs = (yield* Clock.currentTimeMillis) - start
      const done: Finished = {
        query,
        ranking: result.results.map((r) => docs[r.index]),
        scores: result.results.map((r) => r.score),
        latencyMs,
        requests: result.usage.requests,
        sentDocuments: result.usage.sentDocuments ?? docs.length,
        cachedDocuments: result.usage.cachedDocuments ?? 0,
        ...(result.usage.billed === undefined ? {} : { billed: result.usage.billed }),
        ...(result.usage.cost === undefined ? {} : { cost: result.usage.cost })
      }
      yield* store.save(key, done)
      finished.push(done)
      yield* onProgress({ system: system.name, done: finished.length, total: queries.length, resumed })
    }
    return finished
  }).pipe(Effect.scoped)

/**
 * Runs every system over the dataset and measures them: the first stage (cut to `depth`) is the first system of
 * the results, the rerankers follow in the order given.
 *
 * @since 0.2.0
 * @category running
 */
export const run = (
  dataset: Dataset,
  systems: ReadonlyArray<System>,
  options: Options = {}
): Effect.Effect<Results, EvaluationError | RerankError.RerankError> =>
  Effect.gen(function* () {
    const depth = options.depth ?? 100
    const measures = options.measures ?? defaultMeasures
    const seed = options.seed ?? 42
    const trials = options.trials ?? 10_000
    const samples = options.samples ?? 2000
    const store = options.store ?? memoryStore()
    const names = new Set<string>(["first stage"])
    for (const system of systems) {
      if (names.has(system.name)) {
        return yield* new EvaluationError({ reason: `two systems are named "${system.name}": give each its own name` })
      }
      names.add(system.name)
    }
    // trec_eval's queries: those of the run with judgments; and a text to rerank for.
    const queries = [...dataset.firstStage.keys()]
      .filter((q) => dataset.qrels.has(q) && dataset.queries.has(q))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    if (queries.length === 0) {
      return yield* new EvaluationError({
        reason: `no query of the first stage has both judgments and a text in ${dataset.name}: check that the run, the qrels and the queries use the same query ids`
      })
    }
    const firstStage = new Map(queries.map((q) => [q, topOf(dataset.firstStage.get(q)!, depth)]))
    const candidates = new Map(queries.map((q) => [q, [...firstStage.get(q)!.keys()]]))
    const missing = [...candidates.values()].flat().filter((doc) => !dataset.corpus.has(doc))
    if (missing.length > 0) {
      return yield* new EvaluationError({
        reason: `${missing.length} candidate documents have no text in the corpus (the first: ${missing[0]}): the run and the corpus must use the same document ids`
      })
    }
    const qrels = new Map(queries.map((q) => [q, dataset.qrels.get(q)!]))
    const settings = { seed, samples }
    const results: Array<SystemResult> = [
      resultOf("first stage", "first-stage", Metrics.evaluate(qrels, firstStage, measures), undefined, settings)
    ]
    for (const system of systems) {
      const finished = yield* rerankAll(
        dataset,
        system,
        queries,
        candidates,
        depth,
        store,
        options.onProgress ?? (() => Effect.void)
      )
      results.push(
        resultOf(system.name, "reranker", Metrics.evaluate(qrels, runOf(finished), measures), finished, settings)
      )
    }
    return {
      dataset: dataset.name,
      depth,
      measures: measures.map((m) => m.name),
      queries,
      seed,
      trials,
      systems: results,
      comparisons: compare(results, queries, measures, { seed, trials })
    } satisfies Results
  })
