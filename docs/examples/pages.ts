/**
 * The markdown pages users read (README.md, docs/, the package READMEs) and their fenced code blocks, for the tests
 * that check them.
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../", import.meta.url))

/** The markdown files users read. */
export const pages = (): Array<string> => [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(root, "packages")).flatMap((p) => {
    try {
      readFileSync(join(root, "packages", p, "README.md"))
      return [`packages/${p}/README.md`]
    } catch {
      return []
    }
  })
]

export interface Snippet {
  readonly page: string
  /** The line of its opening fence. */
  readonly line: number
  readonly code: string
}

/** The `ts` blocks of a page, fragments joined to the block they continue. */
export const snippetsOf = (page: string, text: string): Array<Snippet> => {
  const lines = text.split("\n")
  const snippets: Array<Snippet> = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i])
    let before = start - 1
    while (before >= 0 && lines[before].trim() === "") before--
    const continues = before >= 0 && lines[before].trim() === "<!-- continues -->"
    const previous = snippets.at(-1)
    if (continues && previous !== undefined) {
      snippets[snippets.length - 1] = { ...previous, code: `${previous.code}\n${body.join("\n")}` }
    } else {
      snippets.push({ page, line: start + 1, code: body.join("\n") })
    }
  }
  return snippets
}

/** The TypeScript files under a folder, recursively. */
export const sourcesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourcesUnder(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : []
  )
