/**
 * Reads a whole text file for a flag or argument, failing with an `InputError` that says what is wrong plainly:
 * no such file (with what to pass instead), not text (a binary file), or empty.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { InputError } from "../CliError.js"

export const readText = (path: string, hint: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(path).pipe(
      Effect.mapError(
        (error) =>
          new InputError({
            path,
            reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message,
            hint
          })
      )
    )
  )

/** Text that is no text at all (NUL bytes: an image, an archive) or holds nothing is refused, not echoed. */
export const checkText = (path: string, content: string): Effect.Effect<string, InputError> =>
  content.includes("\u0000")
    ? Effect.fail(new InputError({ path, reason: "it is not text (it holds NUL bytes: a binary file?)" }))
    : content.trim() === ""
      ? Effect.fail(new InputError({ path, reason: "it is empty" }))
      : Effect.succeed(content)
