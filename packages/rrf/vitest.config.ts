import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "rrf",
    include: ["test/**/*.test.ts"]
  }
})
