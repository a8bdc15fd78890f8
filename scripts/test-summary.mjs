// Prints vitest's JSON report as one plain closing line ("tests: N passed, N failed, N skipped"), which CI reads.
import { existsSync, readFileSync } from "node:fs"

const path = process.argv[2] ?? "node_modules/.vitest/results.json"
if (!existsSync(path)) {
  console.log("tests: 0 passed, 1 failed")
  process.exit(1)
}
const report = JSON.parse(readFileSync(path, "utf8"))
const skipped = report.numPendingTests + report.numTodoTests
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
