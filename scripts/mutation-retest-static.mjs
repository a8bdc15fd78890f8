/**
 * Before an incremental run: drops from reports/stryker-incremental.json every static mutant that no test killed,
 * so Stryker tests it again.
 *
 * Why: Stryker reuses a surviving mutant's result unless a test covering it was added or changed, and a static
 * mutant (code run when a module loads, such as a tag's key) is covered by no test in particular, so a test written
 * to kill it never makes Stryker look again. Each static mutant runs every related test: a few of them cost
 * seconds, not the minutes of a run without the incremental file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"

const path = new URL("../reports/stryker-incremental.json", import.meta.url)
if (existsSync(path)) {
  const report = JSON.parse(readFileSync(path, "utf8"))
  let dropped = 0
  for (const file of Object.values(report.files)) {
    const kept = file.mutants.filter((m) => !(m.static && (m.status === "Survived" || m.status === "NoCoverage")))
    dropped += file.mutants.length - kept.length
    file.mutants = kept
  }
  writeFileSync(path, JSON.stringify(report))
  console.log(`static survivors to test again: ${dropped}`)
}
