/**
 * core, http, rrf and local use only what every JavaScript runtime has (Node, Bun, Deno, Workers, browsers): no
 * `node:` module, no Node-only global (`Buffer`, `process`, a bare `setImmediate`). What needs a platform (a file
 * system, a server) comes through Effect's services, as `@effect/platform` defines them. So does the server's app
 * (`RerankServer.makeApp`, a web handler anywhere): only `NodeServer` and the two modules it alone imports are Node's.
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
  it("core, http, rrf, local and the server's app import no node: module and use no Node-only global", () => {
    const found: Array<string> = []
    const nodeOnlyModules = ["NodeServer.ts", "internal/connections.ts", "internal/nodeConnection.ts"]
    for (const pkg of ["core", "http", "rrf", "local", "server"]) {
      const src = join(root, "packages", pkg, "src")
      for (const file of sources(src)) {
        if (pkg === "server" && nodeOnlyModules.some((m) => file === join(src, m))) continue
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
