// Mutation testing (`pnpm test:mutation`): which behaviour of core, http and rrf no test pins down.
// Not part of `.ci/run` (about an hour on two cores); docs/mutation.md says how to read the report.
import { createRequire } from "node:module"

// pnpm keeps the plugins out of Stryker's own node_modules, where it looks for "@stryker-mutator/*": name them.
const require = createRequire(import.meta.url)

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  plugins: [require.resolve("@stryker-mutator/vitest-runner"), require.resolve("@stryker-mutator/typescript-checker")],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  // The workspace's packages import each other through pnpm's symlinks to their sources: a sandbox copy would
  // leave those links pointing at the unmutated files, so mutants are written in place (and restored after).
  inPlace: true,
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    "packages/core/src/**/*.ts",
    "packages/http/src/**/*.ts",
    "packages/rrf/src/**/*.ts",
    // Version strings and re-export barrels hold no behaviour.
    "!packages/*/src/index.ts",
    "!packages/*/src/internal/version.ts"
  ],
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "html", "json", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // Stryker splits this between checkers and runners: two TypeScript checkers and one test runner while mutants are
  // type-checked (minutes), then three runners. The processes wait on each other, so on two cores this tests about
  // 1.6 times as many mutants a minute as the default of two (measured: 32/min against 20/min).
  concurrency: 3,
  timeoutMS: 20000,
  tempDirName: "node_modules/.stryker-tmp",
  cleanTempDir: "always"
}
