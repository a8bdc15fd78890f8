/** Reads a whole text file, failing with `InputError` that says "no such file" plainly. */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { InputError } from "../CliError.js"

export const readText = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFileString(path).pipe(
      Effect.mapError(
        (error) =>
          new InputError({
            path,
            reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message
          })
      )
    )
  )
