/**
 * `pnpm bench:bundle`: what an app pays in bundle size for one Cohere rerank call, ours (`bench/src/lean-entry.ts`,
 * core + `@effect-rerank/http`'s index) against the AI SDK's (`lean-entry-ai-sdk.ts`), bundled by esbuild (ESM,
 * minified) for Node and, through `@effect-rerank/http/Cohere`, for browsers; sizes minified and gzipped, and which
 * modules reach the output (`docs/examples/bundle.test.ts` checks no Bedrock, SigV4, Vertex, JWT or Redis code does).
 */
import { build, type Metafile } from "esbuild"
import { gzipSync } from "node:zlib"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))

export interface Bundled {
  readonly entry: string
  readonly platform: "node" | "browser"
  readonly minified: number
  readonly gzipped: number
  /** The modules with bytes in the output, as paths under node_modules or the workspace. */
  readonly modules: ReadonlyArray<string>
}

export const bundle = async (entry: string, platform: "node" | "browser"): Promise<Bundled> => {
  const result = await build({
    absWorkingDir: `${root}bench`,
    entryPoints: [`src/${entry}`],
    bundle: true,
    format: "esm",
    platform,
    // The workspace's packages as a user gets them: their built dist/, not their sources.
    minify: true,
    metafile: true,
    write: false,
    outfile: "out.js",
    logLevel: "silent"
  })
  const output = Object.values((result.metafile as Metafile).outputs)[0]
  const code = result.outputFiles[0].contents
  return {
    entry,
    platform,
    minified: code.length,
    gzipped: gzipSync(code).length,
    modules: Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path.replace(/^.*node_modules\//, ""))
  }
}

export const entries = [
  ["lean-entry.ts", "node", "ours: core + @effect-rerank/http (index), Node"],
  ["lean-entry-subpath.ts", "browser", "ours: core + @effect-rerank/http/Cohere, browser"],
  ["lean-entry-ai-sdk.ts", "node", "AI SDK 7 + @ai-sdk/cohere, Node"],
  ["lean-entry-ai-sdk.ts", "browser", "AI SDK 7 + @ai-sdk/cohere, browser"]
] as const

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log("bench:bundle  one Cohere rerank call, esbuild ESM minified (KB = 1,000 bytes)")
  console.log("bundle".padEnd(52), "minified KB".padStart(12), "gzip KB".padStart(9))
  for (const [entry, platform, title] of entries) {
    const b = await bundle(entry, platform)
    console.log(
      title.padEnd(52),
      (b.minified / 1000).toFixed(1).padStart(12),
      (b.gzipped / 1000).toFixed(1).padStart(9)
    )
  }
}
