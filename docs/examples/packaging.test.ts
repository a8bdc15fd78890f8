/**
 * The published packages look published: each has `engines`, a LICENSE, a README whose links stay inside what the
 * tarball holds (or are absolute), no `@since` tag naming a version after the one it will be released as (its
 * version bumped by the pending changesets, `scripts/versions.mjs`), and no script hides the build's errors.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { sourcesUnder } from "./pages.js"
// @ts-expect-error: a plain ES module of the repository's scripts, without declarations.
import { nextVersions } from "../../scripts/versions.mjs"

const root = fileURLToPath(new URL("../../", import.meta.url))
const published = Object.keys(nextVersions() as Record<string, string>)

const newer = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number))
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i]
  return false
}

const sources = sourcesUnder

describe("the published packages", () => {
  it("are the six libraries and the CLI, each with engines, a LICENSE and a README", () => {
    expect(published.sort()).toEqual(["cli", "core", "eval", "http", "local", "rrf", "server"])
    for (const name of published) {
      const pkg = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8"))
      expect(pkg.engines, name).toEqual({ node: ">=20" })
      expect(existsSync(join(root, "packages", name, "LICENSE")), name).toBe(true)
      expect(pkg.files, name).toContain("README.md")
    }
  })

  it("READMEs link only to what the tarball holds, or to absolute URLs", () => {
    for (const name of published) {
      const readme = readFileSync(join(root, "packages", name, "README.md"), "utf8")
      for (const [, target] of readme.matchAll(/\]\(([^)]+)\)/g)) {
        if (/^https?:\/\//.test(target) || target.startsWith("#")) continue
        expect(target, `packages/${name}/README.md links ${target}`).not.toMatch(/^\.\.\//)
        expect(existsSync(join(root, "packages", name, target)), `packages/${name}/README.md links ${target}`).toBe(
          true
        )
      }
    }
  })

  it("no @since tag names a version after the package's next release", () => {
    const versions = nextVersions() as Record<string, string>
    const late: Array<string> = []
    for (const name of published) {
      for (const file of sources(join(root, "packages", name, "src"))) {
        for (const [, version] of readFileSync(file, "utf8").matchAll(/@since (\d+\.\d+\.\d+)/g)) {
          if (newer(version, versions[name]))
            late.push(`${file.slice(root.length)}: @since ${version} > ${versions[name]}`)
        }
      }
    }
    expect(late).toEqual([])
  })

  it("no script builds with its output thrown away: a type error must show", () => {
    const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    for (const [name, command] of Object.entries(scripts as Record<string, string>)) {
      expect(command, name).not.toMatch(/build[^&|;]*>\s*\/dev\/null/)
    }
  })
})
