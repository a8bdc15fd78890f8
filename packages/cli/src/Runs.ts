/**
 * Ranked lists for `rerank fuse`: TREC run files (`qid Q0 docid rank score tag`) or JSONL (`{"query"?, "id",
 * "score"}` a line), grouped by query and ordered best first (by score, highest first; file order breaks ties).
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
export interface Entry {
  readonly id: string
  readonly score: number
}

/**
 * Query id -> entries, best first.
 *
 * @since 0.2.0
 * @category models
 */
export type Run = ReadonlyMap<string, ReadonlyArray<Entry>>

/**
 * The query id used for JSONL lines without a `query` field.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultQuery = "1"

/**
 * Parses a run; the format is JSONL when the first line starts with `{`, TREC otherwise.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parse = (content: string): Either.Either<Run, string> => {
  const lines = content.split(/\r?\n/)
  const run = new Map<string, Array<Entry>>()
  const add = (query: string, entry: Entry) => {
    const list = run.get(query) ?? []
    list.push(entry)
    run.set(query, list)
  }
  const jsonl = content.trimStart().startsWith("{")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line === "") continue
    if (jsonl) {
      let value: { query?: unknown; id?: unknown; score?: unknown }
      try {
        value = JSON.parse(line)
      } catch (error) {
        return Either.left(`it is not JSON at ${JsonError.where(error, line, i + 1)}`)
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return Either.left(`line ${i + 1} is not an object with "id" and a numeric "score"`)
      }
      if ((typeof value.id !== "string" && typeof value.id !== "number") || typeof value.score !== "number") {
        return Either.left(`line ${i + 1} needs "id" and a numeric "score"`)
      }
      add(value.query === undefined ? defaultQuery : String(value.query), { id: String(value.id), score: value.score })
    } else {
      const fields = line.split(/\s+/)
      const score = Number(fields[4])
      if (fields.length < 5 || !Number.isFinite(score)) {
        return Either.left(`line ${i + 1} is not "qid Q0 docid rank score [tag]"`)
      }
      add(fields[0], { id: fields[2], score })
    }
  }
  for (const list of run.values()) list.sort((a, b) => b.score - a.score)
  return Either.right(run)
}

/**
 * Reads and parses a run file.
 *
 * @since 0.2.0
 * @category reading
 */
export const read = (path: string) =>
  Effect.gen(function* () {
    // `-` is stdin, as for `rerank query --file -`.
    const raw =
      path === "-" ? yield* readStdin("a run") : yield* readText(path, "Pass readable run files (TREC or JSONL).")
    const content = yield* checkText(path, raw)
    return yield* Either.mapLeft(parse(content), (reason) => new InputError({ path, reason }))
  })
