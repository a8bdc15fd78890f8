/**
 * The `rerank` command line: `query` reranks documents from a file, `serve` runs the Cohere-compatible server,
 * `fuse` fuses ranked lists.
 *
 * @since 0.2.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import { Registry } from "@effect-rerank/http"
import * as Command from "@effect/cli/Command"
import type * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import type { Failure } from "./CliError.js"
import * as EvalCommand from "./EvalCommand.js"
import * as FuseCommand from "./FuseCommand.js"
import * as QueryCommand from "./QueryCommand.js"
import * as ServeCommand from "./ServeCommand.js"
import * as TidyConsole from "./internal/tidyConsole.js"
import { version } from "./internal/version.js"

/** The command, telling the console that arguments parsed: from here on stderr is the command's own. */
const whenStarted = <Name extends string, R, E, A>(command: Command.Command<Name, R, E, A>) =>
  Command.transformHandler(command, (effect) => Effect.zipRight(TidyConsole.started, effect))

/**
 * The `rerank` command over `providers` (default: every provider of `@effect-rerank/http`'s `Registry`).
 *
 * @since 0.2.0
 * @category commands
 */
export const make = (providers: ReadonlyArray<Registry.Entry> = Registry.providers) =>
  Command.make("rerank").pipe(
    Command.withDescription(
      "Rerank documents with any provider of the registry or the offline local reranker, serve every provider's API (or a gateway to one), fuse rankings, evaluate rerankers on your data."
    ),
    Command.withSubcommands([
      whenStarted(QueryCommand.make(providers)),
      whenStarted(ServeCommand.make(providers)),
      whenStarted(FuseCommand.command),
      whenStarted(EvalCommand.make(providers))
    ])
  )

const rerank = make()

/**
 * Runs the command line on `process.argv` (the node and script paths first, as Node gives it).
 *
 * @since 0.2.0
 * @category running
 */
export const run: (
  argv: ReadonlyArray<string>
) => Effect.Effect<void, Failure | ValidationError.ValidationError, CliApp.CliApp.Environment> = Command.run(rerank, {
  name: "rerank",
  version
})
