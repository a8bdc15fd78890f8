/**
 * Reads candidate documents for `rerank query`: plain lines, JSONL (one object a line, the text in `--field`, other
 * fields kept) or a JSON array (of strings, or of objects with `--field`), from a file or stdin.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { InputError } from "./CliError.js"
import * as JsonError from "./internal/jsonError.js"
import { readStdin } from "./internal/readStdin.js"
import { checkText, readText } from "./internal/readText.js"

/**
 * @since 0.2.0
 * @category models
 */
export type Format = "auto" | "lines" | "jsonl" | "json"

/**
 * A document as read: its text, and the whole record when it came from JSON.
 *
 * @since 0.2.0
 * @category models
 */
export interface Document {
  readonly text: string
  readonly record?: Readonly<Record<string, unknown>> | undefined
}

/**
 * Guesses the format from the extension, then the first character: `[` JSON, `{` JSONL, else lines.
 *
 * @since 0.2.0
 * @category parsing
 */
export const detect = (path: string, content: string): Exclude<Format, "auto"> => {
  if (path.endsWith(".jsonl") || path.endsWith(".ndjson")) return "jsonl"
  if (path.endsWith(".json")) return "json"
  const first = content.trimStart()[0]
  return first === "[" ? "json" : first === "{" ? "jsonl" : "lines"
}

const fromValue = (value: unknown, field: string | undefined, where: string): Either.Either<Document, string> => {
  if (typeof value === "string") return Either.right({ text: value })
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Either.left(`${where} is neither a string nor an object`)
  }
  const record = value as Record<string, unknown>
  // No text field (`--fields` picks what is read): the record itself is what a table shows.
  if (field === undefined) return Either.right({ text: JSON.stringify(record), record })
  const text = record[field]
  return typeof text === "string"
    ? Either.right({ text, record })
    : Either.left(`${where} has no string field "${field}" (choose the text field with --field)`)
}

/**
 * Parses file content in the given format.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parse = (
  content: string,
  format: Exclude<Format, "auto">,
  field: string | undefined
): Either.Either<Array<Document>, string> => {
  switch (format) {
    case "lines":
      return Either.right(
        content
          .split(/\r?\n/)
          .filter((line) => line.trim() !== "")
          .map((text) => ({ text }))
      )
    case "jsonl": {
      const documents: Array<Document> = []
      const lines = content.split(/\r?\n/)
      for (let i = 0; i < lines.length; i++) {
        if (lines[i].trim() === "") continue
        let value: unknown
        try {
          value = JSON.parse(lines[i])
        } catch (error) {
          return Either.left(`it is not JSON at ${JsonError.where(error, lines[i], i + 1)}`)
        }
        const document = fromValue(value, field, `line ${i + 1}`)
        if (Either.isLeft(document)) return Either.left(document.left)
        documents.push(document.right)
      }
      return Either.right(documents)
    }
    case "json": {
      let value: unknown
      try {
        value = JSON.parse(content)
      } catch (error) {
        return Either.left(`it is not JSON at ${JsonError.where(error, content, 1)}`)
      }
      if (!Array.isArray(value)) return Either.left("the JSON is not an array of documents")
      return Either.all(value.map((item, i) => fromValue(item, field, `item ${i}`)))
    }
  }
}

/**
 * Reads documents from `path` (`-` is stdin).
 *
 * @since 0.2.0
 * @category reading
 */
export const read = (
  path: string,
  format: Format,
  field: string | undefined,
  hint = "Pass --file with a readable file, or - for stdin."
) =>
  Effect.gen(function* () {
    const raw = path === "-" ? yield* readStdin("documents") : yield* readText(path, hint)
    const content = yield* checkText(path, raw)
    const parsed = parse(content, format === "auto" ? detect(path, content) : format, field)
    const documents = yield* Either.mapLeft(parsed, (reason) => new InputError({ path, reason }))
    if (documents.length === 0) return yield* new InputError({ path, reason: "it holds no documents" })
    return documents
  })
