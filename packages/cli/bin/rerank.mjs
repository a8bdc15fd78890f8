#!/usr/bin/env node
// The published bin. `rerank --version` answers before the CLI is loaded (scripts call it to check an install);
// everything else runs the bundled CLI, dist/rerank.mjs (`pnpm build` makes it).
if (process.argv.length === 3 && process.argv[2] === "--version") {
  const { readFileSync } = await import("node:fs")
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
  process.stdout.write(`${version}\n`)
} else {
  await import("../dist/rerank.mjs")
}
