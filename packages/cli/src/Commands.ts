/**
 * The `rerank` command line: `query` reranks documents from a file, `serve` runs the Cohere-compatible server,
 * `fuse` fuses ranked lists.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as Effect from "effect/Effect"
import type { Failure } from "./CliError.js"
import * as FuseCommand from "./FuseCommand.js"
import * as QueryCommand from "./QueryCommand.js"
import * as ServeCommand from "./ServeCommand.js"
import { version } from "./internal/version.js"

const rerank = Command.make("rerank").pipe(
  Command.withDescription(
    "Rerank documents with Cohere or the offline local reranker, serve a Cohere-compatible API, fuse rankings."
  ),
  Command.withSubcommands([QueryCommand.command, ServeCommand.command, FuseCommand.command])
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
  version
})
