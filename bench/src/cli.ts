/**
 * `pnpm bench:cli`: how fast `rerank` starts, as a user runs it. Median of 10 starts each of `node -e 0` (the
 * floor: Node itself), `rerank --version`, and `rerank query` on the five-document sample, through the bin the
 * package publishes (bin/rerank.mjs, which runs the bundled dist/rerank.mjs) and, for comparison, the unbundled tsc
 * output (dist/bin.js).
 * Needs `pnpm build` first.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const bundled = `${root}packages/cli/bin/rerank.mjs`
const unbundled = `${root}packages/cli/dist/bin.js`
const query = readFileSync(`${root}examples/capital-query.txt`, "utf8").trim()
const sample = `${root}examples/capital-documents.txt`

const median = (args: ReadonlyArray<string>) => {
  const times: Array<number> = []
  for (let i = 0; i < 11; i++) {
    const start = performance.now()
    execFileSync(process.execPath, args, { stdio: "pipe" })
    if (i > 0) times.push(performance.now() - start) // the first start warms the OS file cache
  }
  return times.sort((a, b) => a - b)[5]
}

const floor = median(["-e", "0"])
const rows: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["node -e 0", ["-e", "0"]],
  ["rerank --version", [bundled, "--version"]],
  ["rerank query (sample)", [bundled, "query", query, "--file", sample]],
  ["rerank --help", [bundled, "--help"]],
  ["unbundled query (dist/bin.js)", [unbundled, "query", query, "--file", sample]]
]
console.log("bench:cli  median of 10 starts (after one warm-up), and the ratio to node -e 0 measured in the same run")
for (const [name, args] of rows) {
  const ms = name === "node -e 0" ? floor : median(args)
  console.log(`${name.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms   ${(ms / floor).toFixed(1).padStart(5)}x`)
}
