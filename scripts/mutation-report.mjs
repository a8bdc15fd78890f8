/**
 * Stryker's JSON report (reports/mutation/mutation.json) and the equivalent mutants listed in
 * stryker.equivalents.json, shared by `mutation:scores` and `mutation:survivors`.
 *
 * An equivalent is named by its file (a path ending in "/" names every file under it), mutator, the source text it
 * replaces (`original`, or `pattern`, a regular expression for a family such as `x !== undefined`) and the
 * replacement (and, where that text occurs more than once, `in` / `notIn`: text its line has, or has not), never by
 * line number: an edit elsewhere in the file moves lines, not what a mutant does.
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
const lineFits = (line, e) =>
  (e.in === undefined || line.includes(e.in)) && (e.notIn === undefined || !line.includes(e.notIn))
const inFile = (file, e) => (e.file.endsWith("/") ? file.includes(e.file) : file.endsWith(e.file))
const replaces = (text, e) => (e.pattern === undefined ? e.original === text : new RegExp(e.pattern).test(text))

export const equivalentIndex = (file, source, mutant) =>
  equivalents.findIndex(
    (e) =>
      inFile(file, e) &&
      e.mutator === mutant.mutatorName &&
      replaces(original(source, mutant.location), e) &&
      e.replacement === collapse(mutant.replacement ?? "") &&
      lineFits(source.split("\n")[mutant.location.start.line - 1], e)
  )

export const notKilled = (mutant) => mutant.status === "Survived" || mutant.status === "NoCoverage"
export const killed = (mutant) => mutant.status === "Killed" || mutant.status === "Timeout"
