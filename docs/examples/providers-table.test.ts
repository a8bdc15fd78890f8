import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Table from "../../scripts/providers-table.js"

describe("docs/providers.md", () => {
  it("its providers table is the registry's (pnpm docs:providers writes it)", () => {
    const text = readFileSync(Table.page, "utf8")
    expect(text).toContain(`${Table.start}\n\n${Table.render()}\n\n${Table.end}`)
  })
})
