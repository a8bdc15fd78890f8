import { defineProject } from "vitest/config"

// Workspace packages resolve to their TypeScript sources ("source" export condition), never to a stale dist/.
export default defineProject({
  resolve: { conditions: ["source", "module", "node", "development|production"] },
  ssr: { resolve: { conditions: ["source", "node", "development|production"] } },
  test: {
    name: "local",
    include: ["test/**/*.test.ts"]
  }
})
