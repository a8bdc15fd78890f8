/**
 * The mutants no test killed, from Stryker's JSON report, as `line:column mutator: original -> replacement` per file,
 * leaving out the equivalents listed in stryker.equivalents.json. Arguments filter by file path (substring):
 * `pnpm mutation:survivors Reranker.ts transport`.
 */
import { collapse, equivalentIndex, notKilled, original, report } from "./mutation-report.mjs"

const filters = process.argv.slice(2)
const short = (text) => (text.length > 100 ? `${text.slice(0, 97)}...` : text)

let count = 0
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  if (filters.length > 0 && !filters.some((f) => file.includes(f))) continue
  const left = mutants
    .filter((m) => notKilled(m) && equivalentIndex(file, source, m) < 0)
    .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
  if (left.length === 0) continue
  console.log(`${file} (${left.length})`)
  for (const m of left) {
    const { line, column } = m.location.start
    const status = m.status === "NoCoverage" ? " [no test reaches it]" : ""
    const replacement = collapse(m.replacement ?? "")
    console.log(
      `  ${line}:${column} ${m.mutatorName}${status}: ${short(original(source, m.location))} -> ${short(replacement)}`
    )
  }
  count += left.length
}
console.log(`${count} mutant(s) not killed`)
