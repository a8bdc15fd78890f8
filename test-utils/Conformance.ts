/**
 * Locates the shared conformance data (`../shared/conformance/` beside the repository, or
 * `EFFECT_RERANK_CONFORMANCE`) for tests, and skips their blocks visibly when it is absent, so a plain clone passes.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, it } from "vitest"

export const conformanceDir: string =
  process.env.EFFECT_RERANK_CONFORMANCE ?? fileURLToPath(new URL("../../shared/conformance/", import.meta.url))

export const hasConformance: boolean = existsSync(conformanceDir)

export const conformancePath = (relative: string): string => join(conformanceDir, relative)

export const readConformanceText = (relative: string): string => readFileSync(conformancePath(relative), "utf8")

export const readConformanceJson = <A = unknown>(relative: string): A => JSON.parse(readConformanceText(relative)) as A

/**
 * A `describe` block that runs only with conformance data. Without it, the body (which reads the data) is not even
 * collected: a skipped placeholder stands in, and stderr says why.
 */
export const describeConformance = (name: string, body: () => void): void => {
  if (hasConformance) {
    describe(name, body)
    return
  }
  console.warn(`skipped: no conformance data at ${conformanceDir} (${name})`)
  describe.skip(name, () => {
    it("skipped: no conformance data", () => {})
  })
}
