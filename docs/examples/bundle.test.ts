/**
 * An app using core and Cohere bundles none of the other providers' machinery: no Bedrock, no SigV4 or AWS crypto, no
 * Vertex or its JWTs, no Redis, whether it imports `@effect-rerank/http`'s index (for Node) or the Cohere module's
 * subpath (for a browser). esbuild's metafile says which modules reached the output. Sizes: `pnpm bench:bundle`.
 */
import { describe, expect, it } from "@effect/vitest"
import { bundle } from "../../scripts/bundle-size.js"

const unwanted = /Bedrock|sigv4|signature-v4|@smithy|@aws-crypto|ioredis|Redis|Vertex|googleAuth|jose|Registry\.js/

describe("a lean bundle", () => {
  for (const [entry, platform] of [
    ["lean-entry.ts", "node"],
    ["lean-entry-subpath.ts", "browser"]
  ] as const) {
    it(`${entry} for ${platform}: Cohere's code, none of the others'`, async () => {
      const bundled = await bundle(entry, platform)
      expect(
        bundled.modules.some((m) => m.includes("effect-rerank/packages/http") || /http\/dist\/Cohere\.js$/.test(m))
      ).toBe(true)
      expect(bundled.modules.filter((m) => unwanted.test(m))).toEqual([])
    }, 60_000)
  }
})
