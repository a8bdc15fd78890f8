/**
 * core, http, rrf and local use only what every JavaScript runtime has (Node, Bun, Deno, Workers, browsers): no
 * `node:` module, no Node-only global (`Buffer`, `process`, a bare `setImmediate`). What needs a platform (a file
 * system, a server) comes through Effect's services, as `@effect/platform` defines them.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { sourcesUnder } from "./pages.js"

const root = fileURLToPath(new URL("../../", import.meta.url))

const sources = sourcesUnder

const nodeOnly: ReadonlyArray<readonly [RegExp, string]> = [
  [/from\s+"node:|import\(\s*"node:|require\(/, "a node: module"],
  [/\bBuffer\b/, "Buffer"],
  [/\bprocess\./, "process"],
  [/(?<!globalThis\.)\b(setImmediate|clearImmediate)\(/, "a bare setImmediate"],
  [/\bNodeJS\./, "Node's types"]
]

describe("platform-neutral packages", () => {
  it("core, http, rrf and local import no node: module and use no Node-only global", () => {
    const found: Array<string> = []
    for (const pkg of ["core", "http", "rrf", "local"]) {
      for (const file of sources(join(root, "packages", pkg, "src"))) {
        const lines = readFileSync(file, "utf8").split("\n")
        lines.forEach((line, i) => {
          // Comments may name what they avoid.
          if (/^\s*(\*|\/\/|\/\*)/.test(line)) return
          for (const [pattern, what] of nodeOnly) {
            if (pattern.test(line)) found.push(`${file.slice(root.length)}:${i + 1}: ${what}`)
          }
        })
      }
    }
    expect(found).toEqual([])
  })
})
