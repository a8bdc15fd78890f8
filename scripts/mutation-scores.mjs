/**
 * Per-file mutation scores from Stryker's JSON report, counting only mutants that can change behaviour: those listed
 * in stryker.equivalents.json (each with its reason) are left out. Score = (killed + timed out) / (killed + timed
 * out + survived + no coverage). Prints each file, each package against its goal, and the listed equivalents that
 * match no mutant now (stale after an edit).
 */
import { equivalentIndex, equivalents, killed, notKilled, report } from "./mutation-report.mjs"

const goals = { core: 90, http: 90, rrf: 95 }
const providers = new Set(["Jina", "Voyage", "Mixedbread", "Pinecone", "Together", "Tei", "Vllm", "Bedrock", "Cohere"])
const providerGoal = 85

const used = new Set()
const rows = []
const packages = new Map()
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const count = { killed: 0, survived: 0, equivalent: 0 }
  for (const mutant of mutants) {
    const equivalent = equivalentIndex(file, source, mutant)
    if (equivalent >= 0) {
      used.add(equivalent)
      count.equivalent++
    } else if (killed(mutant)) count.killed++
    else if (notKilled(mutant)) count.survived++
  }
  const pkg = /packages\/([^/]+)\//.exec(file)?.[1] ?? "?"
  const total = packages.get(pkg) ?? { killed: 0, survived: 0, equivalent: 0 }
  for (const key of Object.keys(count)) total[key] += count[key]
  packages.set(pkg, total)
  rows.push({ file, ...count })
}

const score = ({ killed, survived }) => (killed + survived === 0 ? 100 : (killed / (killed + survived)) * 100)
const module = (file) => file.replace(/^.*\//, "").replace(/\.ts$/, "")

console.log("file".padEnd(52), "score".padStart(6), "killed".padStart(7), "survived".padStart(9), "equiv".padStart(6))
for (const row of rows.sort((a, b) => a.file.localeCompare(b.file))) {
  const goal = providers.has(module(row.file))
    ? ` (goal ${providerGoal}${score(row) >= providerGoal ? ", met" : ", below"})`
    : ""
  console.log(
    row.file.replace(/^packages\//, "").padEnd(52),
    `${score(row).toFixed(1)}%`.padStart(6),
    String(row.killed).padStart(7),
    String(row.survived).padStart(9),
    String(row.equivalent).padStart(6),
    goal
  )
}
console.log("")
for (const [pkg, total] of packages) {
  const goal = goals[pkg]
  const s = score(total)
  console.log(
    `${pkg.padEnd(6)} ${s.toFixed(1)}% of ${total.killed + total.survived} mutants (${total.equivalent} equivalent left out)` +
      (goal === undefined ? "" : `: goal ${goal}%, ${s >= goal ? "met" : "below"}`)
  )
}
const stale = equivalents.filter((_, i) => !used.has(i))
if (stale.length > 0) {
  console.log(`\n${stale.length} listed equivalent(s) match no mutant now (edit stryker.equivalents.json):`)
  for (const e of stale) console.log(`  ${e.file} ${e.mutator}: ${e.original ?? e.pattern} -> ${e.replacement}`)
}
