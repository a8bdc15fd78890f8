/**
 * Every Mermaid diagram of README.md, docs/ and the package READMEs parses and renders with Mermaid itself
 * (`mermaid`, pinned), in a real headless browser (Debian's `chromium-headless-shell`): what GitHub and the doc sites
 * will draw.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import * as Browser from "../../test-utils/Browser.js"
import { pages } from "./pages.js"

const root = fileURLToPath(new URL("../../", import.meta.url))
const mermaidScript = join(
  createRequire(import.meta.url).resolve("mermaid/package.json"),
  "..",
  "dist",
  "mermaid.min.js"
)

const diagrams = pages().flatMap((page) => {
  const lines = readFileSync(join(root, page), "utf8").split("\n")
  const found: Array<{ readonly where: string; readonly text: string }> = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```mermaid") continue
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i])
    found.push({ where: `${page}:${start + 1}`, text: body.join("\n") })
  }
  return found
})

describe.skipIf(!Browser.available)("the docs' diagrams", () => {
  it("the request path, the fleet with Redis and the retry timeline are there, and each renders", async () => {
    expect(diagrams.map((d) => d.where.split(":")[0]).sort()).toEqual(
      ["docs/README.md", "docs/errors-and-retries.md", "docs/fleet.md"].sort()
    )
    const browser = await chromium.launch({ executablePath: Browser.browserPath, args: ["--no-sandbox"] })
    try {
      const page = await browser.newPage()
      await page.setContent("<!doctype html><html><body></body></html>")
      await page.addScriptTag({ path: mermaidScript })
      const problems: Array<string> = []
      for (const [i, diagram] of diagrams.entries()) {
        const outcome = await page.evaluate(
          async ({ id, text }) => {
            const mermaid = (globalThis as any).mermaid
            mermaid.initialize({ startOnLoad: false })
            try {
              await mermaid.parse(text)
              const { svg } = await mermaid.render(id, text)
              return svg.includes("<svg") ? "ok" : "no svg"
            } catch (error) {
              return String((error as Error).message ?? error)
            }
          },
          { id: `diagram-${i}`, text: diagram.text }
        )
        if (outcome !== "ok") problems.push(`${diagram.where}: ${outcome}`)
      }
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  }, 60_000)
})
