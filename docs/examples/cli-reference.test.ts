/**
 * docs/cli.md against the CLI's own `--help`: every flag of every command, and every choice a flag takes, is in the
 * command's section of the page. The help is the command's (from `Commands.make`), rendered as `rerank <cmd> --help`
 * prints it.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const page = readFileSync(join(root, "docs", "cli.md"), "utf8")

/** The page's section for a command: from its `## \`rerank <cmd>` heading to the next `## `. */
const sectionOf = (command: string): string => {
  const start = page.indexOf(`## \`rerank ${command}`)
  if (start < 0) return ""
  const end = page.indexOf("\n## ", start + 1)
  return page.slice(start, end < 0 ? undefined : end)
}

/** The flags and their choices, from the help's usage line. */
const usageOf = (command: string) => {
  const help = execFileSync(process.execPath, [join(root, "packages/cli/bin/rerank.mjs"), command, "--help"], {
    encoding: "utf8"
  })
  // @effect/cli names the parent in some subcommands' usage line and not in others (`$ eval ...`).
  const usage = help.split("\n").find((line) => new RegExp(`^\\$ (rerank )?${command} `).test(line)) ?? ""
  const flags: Array<{ readonly flag: string; readonly choices: ReadonlyArray<string> }> = []
  for (const match of usage.matchAll(/(--[a-z][a-z-]*)((?: [A-Za-z0-9.-]+(?: \| [A-Za-z0-9.-]+)+)?)/g)) {
    const choices = match[2].trim() === "" ? [] : match[2].trim().split(" | ")
    flags.push({ flag: match[1], choices })
  }
  return flags
}

describe("docs/cli.md covers the CLI", () => {
  for (const command of ["query", "serve", "fuse", "eval"]) {
    it(`rerank ${command}: every flag and every choice of --help is documented`, () => {
      const section = sectionOf(command)
      expect(section, `docs/cli.md has no section for rerank ${command}`).not.toBe("")
      const flags = usageOf(command)
      expect(flags.length).toBeGreaterThan(3)
      const missing: Array<string> = []
      for (const { choices, flag } of flags) {
        if (!section.includes(`\`${flag}`)) missing.push(flag)
        for (const choice of choices) if (!section.includes(`\`${choice}\``)) missing.push(`${flag} ${choice}`)
      }
      expect(missing).toEqual([])
    })
  }
})
