// The program (program.mjs) as a script: Node, Bun, Deno, and a browser page (bundled). __BASE_URL__ is filled in by
// scripts/runtimes-check.sh.
import { run } from "./program.mjs"

const runtime =
  typeof globalThis.Deno !== "undefined"
    ? "deno"
    : typeof globalThis.Bun !== "undefined"
      ? "bun"
      : typeof globalThis.document !== "undefined"
        ? "browser"
        : "node"

await run(runtime, "__BASE_URL__", (line) => console.log(line))
