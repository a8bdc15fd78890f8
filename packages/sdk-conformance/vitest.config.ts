import { defineProject } from "vitest/config"

// Workspace packages resolve to their TypeScript sources ("source" export condition), never to a stale dist/.
export default defineProject({
  resolve: { conditions: ["source", "module", "node", "development|production"] },
  ssr: { resolve: { conditions: ["source", "node", "development|production"] } },
  test: {
    // Generous per-test bounds: the suite must pass on a busy 2-core machine; nothing here is timed.
    testTimeout: 60_000,
    name: "sdk",
    include: ["test/**/*.test.ts"]
  }
})
