/**
 * Every fenced `ts` block of README.md, docs/ and the package READMEs type-checks as written, against the workspace's
 * sources (what a user of the next release gets). A block after an `<!-- continues -->` line extends the block
 * before it (as twoslash's fragments do): the two are checked as one module. Unused names are fine in a snippet; any
 * other error fails with the file, the block's line and the compiler's message.
 */
import { describe, expect, it } from "@effect/vitest"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { pages, snippetsOf } from "./pages.js"

const root = fileURLToPath(new URL("../../", import.meta.url))

// Unused locals, parameters and imports: a snippet shows a value without using it.
const ignored = new Set([6133, 6192, 6196, 6198])

describe("docs code blocks", () => {
  it("every ts block of the README, docs/ and the package READMEs type-checks as written", () => {
    const snippets = pages().flatMap((page) => snippetsOf(page, readFileSync(join(root, page), "utf8")))
    expect(snippets.length).toBeGreaterThan(20)
    // Inside the repository, so that imports resolve from its node_modules to the workspace's sources.
    const dir = join(root, "node_modules", ".cache", "doc-snippets")
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files = snippets.map((snippet, i) => {
      const file = join(dir, `snippet-${i}.ts`)
      writeFileSync(file, snippet.code)
      return file
    })
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined
      }
    )!
    const program = ts.createProgram(files, { ...config.options, noEmit: true })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file !== undefined && files.includes(d.file.fileName) && !ignored.has(d.code))
      .map((d) => {
        const snippet = snippets[files.indexOf(d.file!.fileName)]
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
        return `${snippet.page}:${snippet.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`
      })
    expect(problems).toEqual([])
  }, 180_000)
})
