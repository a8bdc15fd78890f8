import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const root = new URL("../../../", import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), "utf8")

describe("documentation examples", () => {
  it.each([
    ["README.md", "docs/examples/quickstart.ts"],
    ["README.md", "docs/examples/hybrid.ts"],
    ["docs/errors-and-retries.md", "docs/examples/retry.ts"]
  ])("%s shows %s verbatim, so its code is the type-checked file", (page, example) => {
    expect(read(page)).toContain(read(example).trim())
  })
})

describe("docs/testing.md", () => {
  it("shows the pipeline of docs/examples/testing.test.ts verbatim", () => {
    const example = read("docs/examples/testing.test.ts")
    const pipeline = example.slice(0, example.indexOf("const passages"))
    expect(read("docs/testing.md")).toContain(pipeline.trim())
  })
})
