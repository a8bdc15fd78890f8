// The program (program.mjs) as a Cloudflare Worker: run on each request (a Worker may not do I/O at module load),
// answered with what it said. __BASE_URL__ is filled in by scripts/runtimes-check.sh.
import { run } from "./program.mjs"

export default {
  async fetch() {
    const lines = []
    try {
      await run("workerd", "__BASE_URL__", (line) => lines.push(line))
    } catch (error) {
      lines.push(`failed: ${error instanceof Error ? error.message : String(error)}`)
    }
    return new Response(lines.join("\n"))
  }
}
