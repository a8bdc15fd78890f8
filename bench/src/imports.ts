/**
 * `pnpm bench:imports`: what importing the client costs an app. Ours is measured at the margin, in an app that already
 * imports `effect` and `@effect/platform` (as every Effect app does): the time and heap to then import
 * `@effect-rerank/core` and `@effect-rerank/http/Cohere`. The AI SDK's is its whole import, `ai` and
 * `@ai-sdk/cohere`. Each import in a fresh Node process (the packages' built dist/, as installed), alternating,
 * RUNS times (default 7); medians printed.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const runs = Number(process.env.RUNS ?? 7)
const bench = fileURLToPath(new URL("../", import.meta.url))

const measure = (before: ReadonlyArray<string>, measured: ReadonlyArray<string>) => {
  const script = `
const imports = async (names) => { for (const name of names) await import(name) }
await imports(${JSON.stringify(before)})
globalThis.gc(); const heap0 = process.memoryUsage().heapUsed
const t0 = performance.now()
await imports(${JSON.stringify(measured)})
const ms = performance.now() - t0
globalThis.gc(); const heap1 = process.memoryUsage().heapUsed
console.log(JSON.stringify({ ms, mb: (heap1 - heap0) / 1e6 }))`
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    cwd: bench,
    encoding: "utf8"
  })
  return JSON.parse(out) as { ms: number; mb: number }
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const ours: Array<{ ms: number; mb: number }> = []
const aiSdk: Array<{ ms: number; mb: number }> = []
for (let i = 0; i < runs; i++) {
  ours.push(measure(["effect", "@effect/platform"], ["@effect-rerank/core", "@effect-rerank/http/Cohere"]))
  aiSdk.push(measure([], ["ai", "@ai-sdk/cohere"]))
}
console.log(`bench:imports  ${runs} fresh processes each, alternating; medians`)
console.log(`${"import".padEnd(64)} ${"ms".padStart(7)} ${"heap MB".padStart(8)}`)
const row = (title: string, all: ReadonlyArray<{ ms: number; mb: number }>) =>
  console.log(
    `${title.padEnd(64)} ${median(all.map((r) => r.ms))
      .toFixed(1)
      .padStart(7)} ${median(all.map((r) => r.mb))
      .toFixed(1)
      .padStart(8)}`
  )
row("ours at the margin: core + http/Cohere, after effect + platform", ours)
row("AI SDK: ai + @ai-sdk/cohere", aiSdk)
