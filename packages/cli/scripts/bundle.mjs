/**
 * Bundles the `rerank` bin into one ES module, dist/rerank.mjs: a cold start then reads one file instead of
 * resolving and compiling hundreds (about 0.2 s against 0.55 s for the unbundled dist/, on this project's 2-core
 * machine; `pnpm bench:cli` measures it). The version is taken from package.json here, at build time.
 */
import { build } from "esbuild"
import { readFileSync } from "node:fs"

const root = new URL("../", import.meta.url)
const { version } = JSON.parse(readFileSync(new URL("package.json", root), "utf8"))

await build({
  absWorkingDir: root.pathname,
  entryPoints: ["src/bin.ts"],
  outfile: "dist/rerank.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  legalComments: "linked",
  // Workspace packages from their sources; everything else from node_modules as published.
  conditions: ["source"],
  // Bundled CommonJS dependencies may call require(): give them one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  plugins: [
    {
      name: "version",
      setup: (build) => {
        build.onResolve({ filter: /\/internal\/version\.js$/ }, () => ({ path: "version", namespace: "version" }))
        build.onLoad({ filter: /.*/, namespace: "version" }, () => ({
          contents: `export const version = ${JSON.stringify(version)}`,
          loader: "js"
        }))
      }
    }
  ],
  // Loaded only when `rerank eval` draws its report, from the package's own dependencies.
  external: ["vega", "vega-lite"],
  logLevel: "warning"
})
