import { defineConfig } from "vitest/config"

// The projects whose tests exercise the mutated packages through their sources. The CLI's tests run the compiled
// bin (a mutant in src/ never reaches it) and eval/local/docs do not cover core, http or rrf behaviour.
export default defineConfig({
  test: {
    projects: ["packages/core", "packages/http", "packages/rrf", "packages/server"]
  }
})
