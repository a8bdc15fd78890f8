#!/usr/bin/env node
/**
 * The `rerank` executable: runs the command line and turns every failure into one line on stderr and its exit code.
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as CliError from "./CliError.js"
import * as TidyConsole from "./internal/tidyConsole.js"
import { run } from "./Commands.js"

// `rerank ... | head`: the reader went away; stop quietly, as Unix tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

const fail = (code: number, line: string) =>
  // Anything held from before a command started goes out first (nothing, unless a command never started).
  Effect.zipRight(TidyConsole.started, Console.error(`rerank: ${line}`)).pipe(
    Effect.zipRight(
      Effect.sync(() => {
        process.exitCode = code
      })
    )
  )

// A common guess that @effect/cli would answer with an unrelated complaint.
const guessed = process.argv.includes("--json")
  ? fail(CliError.ExitCode.Usage, "there is no --json flag: use -o json (or --output json).")
  : undefined

const main = guessed ?? run(process.argv)

main.pipe(
  Effect.catchIf(ValidationError.isValidationError, (error) =>
    // @effect/cli's own message was held (TidyConsole): said here in one line naming the flag.
    "error" in error && error._tag !== "HelpRequested"
      ? Effect.zipRight(
          TidyConsole.discardHeld,
          fail(CliError.ExitCode.Usage, CliError.parseErrorLine(HelpDoc.toAnsiText(error.error), process.argv.slice(2)))
        )
      : Effect.sync(() => {
          process.exitCode = CliError.ExitCode.Usage
        })
  ),
  Effect.catchAll((failure) => {
    const { code, line } = CliError.report(failure)
    return fail(code, line)
  }),
  // Never a stack on stdout: one line on stderr, exit 1.
  Effect.catchAllDefect((defect) =>
    fail(
      CliError.ExitCode.Unexpected,
      `unexpected failure: ${defect instanceof Error ? defect.message : String(defect)}. This is a bug: please report it.`
    )
  ),
  TidyConsole.run,
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
