import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

const root = new URL("../../../", import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), "utf8")

describe("README examples", () => {
  it.each(["docs/examples/quickstart.ts", "docs/examples/hybrid.ts"])(
    "the README shows %s verbatim, so its code is the type-checked file",
    (path) => {
      expect(read("README.md")).toContain(read(path).trim())
    }
  )
})
