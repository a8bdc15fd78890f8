#!/usr/bin/env node
/**
 * The `rerank` executable: runs the command line and turns every failure into one line on stderr and its exit code.
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as CliError from "./CliError.js"
import { run } from "./Commands.js"

// `rerank ... | head`: the reader went away; stop quietly, as Unix tools do.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

run(process.argv).pipe(
  Effect.catchIf(ValidationError.isValidationError, () =>
    // @effect/cli has already printed what was wrong with the arguments.
    Effect.sync(() => {
      process.exitCode = CliError.ExitCode.Usage
    })
  ),
  Effect.catchAll((failure) => {
    const { code, line } = CliError.report(failure)
    return Console.error(`rerank: ${line}`).pipe(
      Effect.zipRight(
        Effect.sync(() => {
          process.exitCode = code
        })
      )
    )
  }),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
