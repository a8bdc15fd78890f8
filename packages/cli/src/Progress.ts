/**
 * What a call is doing, on stderr when it is a terminal: a progress bar for multi-window calls (cleared when the call
 * is done, so the table starts on a clean line), and a line for each retry, saying why, how long it waits and which
 * attempt comes next, so that a slow call against a failing service is never silent.
 *
 * @since 0.1.0
 */
import { Reranker, type RerankError } from "@effect-rerank/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const width = 30

/** `RateLimitError (429)`, `TransportError`: what failed, in a few words. */
const what = (error: RerankError.RerankError) =>
  `${error._tag}${error.status === undefined ? "" : ` (${error.status})`}`

/**
 * Provides `Reranker.Progress` drawing to `stream` when it is a TTY; nothing otherwise, so piped output stays clean.
 *
 * @since 0.1.0
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
            // Cleared, not left above the results.
            if (completed === total) stream.write("\r\u001b[2K")
          }),
        onRetry: (error, attempt, delay) =>
          Effect.sync(() => {
            const seconds = Duration.toMillis(delay) / 1000
            stream.write(
              `\r\u001b[2Krerank: ${what(error)}, retrying in ${seconds.toFixed(seconds < 10 ? 1 : 0)} s (attempt ${attempt + 1})\n`
            )
          })
      })
    : Layer.empty
