/**
 * `rerank fuse <run files...>`: fuse ranked lists per query with the fusion package and print the fused run.
 *
 * @since 0.2.0
 */
import { Fusion, Normalization } from "@effect-rerank/rrf"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type Failure, UsageError } from "./CliError.js"
import * as Runs from "./Runs.js"

const fuseOptions = {
  runs: Args.text({ name: "run" }).pipe(
    Args.atLeast(1),
    Args.withDescription("Run files: TREC (qid Q0 docid rank score tag) or JSONL ({query?, id, score} per line).")
  ),
  method: Options.choice("method", Fusion.methods).pipe(
    Options.withDefault("rrf" as Fusion.Method),
    Options.withDescription("Fusion method. Default: rrf.")
  ),
  k: Options.float("k").pipe(
    Options.withDefault(Fusion.defaultK),
    Options.withDescription(`RRF constant. Default: ${Fusion.defaultK}.`)
  ),
  weights: Options.text("weights").pipe(
    Options.optional,
    Options.withDescription("Comma-separated weight per run, e.g. 0.7,0.3.")
  ),
  normalize: Options.choice("normalize", Normalization.normalizations).pipe(
    Options.withDefault("none" as Normalization.Normalization),
    Options.withDescription("Score normalization before score-based methods. Default: none.")
  ),
  topN: Options.integer("top-n").pipe(
    Options.withAlias("n"),
    Options.optional,
    Options.withDescription("Keep the best N per query.")
  ),
  output: Options.choice("output", ["trec", "jsonl"]).pipe(
    Options.withAlias("o"),
    Options.withDefault("trec" as const),
    Options.withDescription(
      "trec: qid Q0 docid rank score tag; jsonl: one object per result with contributions. Default: trec."
    )
  )
}

const config = fuseOptions

/**
 * The parsed arguments and options.
 *
 * @since 0.2.0
 * @category models
 */
export type Parsed = Command.Command.ParseConfig<typeof config>

/**
 * @since 0.2.0
 * @category commands
 */
export const command: Command.Command<"fuse", FileSystem.FileSystem, Failure, Parsed> = Command.make(
  "fuse",
  config,
  (options) =>
    Effect.gen(function* () {
      if (options.runs.filter((path) => path === "-").length > 1) {
        return yield* new UsageError({ reason: "- (stdin) can be one of the runs, once." })
      }
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
