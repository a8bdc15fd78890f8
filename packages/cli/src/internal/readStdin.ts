/** All of stdin as text, for `-` in place of a file; on a terminal, says first how to end the input. */
import * as Effect from "effect/Effect"

export const readStdin = (what: "documents" | "a run") =>
  Effect.promise(async () => {
    if (process.stdin.isTTY) {
      process.stderr.write(`rerank: reading ${what} from the terminal: type or paste, then press Ctrl-D.\n`)
    }
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  })
