/**
 * A progress bar on stderr for multi-window rerank calls, drawn only when stderr is a terminal.
 *
 * @since 0.2.0
 */
import { Reranker } from "@effect-rerank/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const width = 30

/**
 * Provides `Reranker.Progress` drawing to `stream` when it is a TTY and the call has several windows; nothing
 * otherwise, so piped output stays clean.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (stream: NodeJS.WriteStream = process.stderr): Layer.Layer<never> =>
  stream.isTTY
    ? Layer.succeed(Reranker.Progress, {
        onWindow: (completed, total) =>
          Effect.sync(() => {
            if (total < 2) return
            const filled = Math.round((completed / total) * width)
            stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${completed}/${total} windows`)
            if (completed === total) stream.write("\n")
          })
      })
    : Layer.empty
