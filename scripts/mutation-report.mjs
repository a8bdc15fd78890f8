/**
 * Stryker's JSON report (reports/mutation/mutation.json) and the equivalent mutants listed in
 * stryker.equivalents.json, shared by `mutation:scores` and `mutation:survivors`.
 *
 * An equivalent is named by its file, mutator, the source text it replaces and the replacement (and, where that
 * text occurs more than once, `in`: text of the line it starts on), never by line number: an edit elsewhere in the
 * file moves lines, not what a mutant does.
 */
import { readFileSync } from "node:fs"

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8"))

export const report = read("../reports/mutation/mutation.json")
export const equivalents = read("../stryker.equivalents.json").mutants

/** The source text a mutant replaces (lines and columns are 1-based), whitespace collapsed. */
export const original = (source, { start, end }) => {
  const lines = source.split("\n")
  const text =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1)
        ].join("\n")
  return collapse(text)
}

export const collapse = (text) => text.replace(/\s+/g, " ").trim()

/** The index in `equivalents` of the entry that covers this mutant, or -1. */
export const equivalentIndex = (file, source, mutant) =>
  equivalents.findIndex(
    (e) =>
      file.endsWith(e.file) &&
      e.mutator === mutant.mutatorName &&
      e.original === original(source, mutant.location) &&
      e.replacement === collapse(mutant.replacement ?? "") &&
      (e.in === undefined || source.split("\n")[mutant.location.start.line - 1].includes(e.in))
  )

export const notKilled = (mutant) => mutant.status === "Survived" || mutant.status === "NoCoverage"
export const killed = (mutant) => mutant.status === "Killed" || mutant.status === "Timeout"
