/**
 * The one error fusion can produce: inputs that have no meaningful fused answer (a non-positive `k`, weights that
 * do not match the rankings, a NaN score, a key repeated inside one ranking). Returned, never thrown, so a caller
 * sees a clear reason instead of a silent NaN in the output.
 *
 * @since 0.1.1
 */
import * as Data from "effect/Data"

/**
 * @since 0.1.1
 * @category errors
 */
export class FusionError extends Data.TaggedError("FusionError")<{
  /** The option or input at fault, e.g. `"k"`, `"weights"`, `"rankings[2][17].score"`. */
  readonly input: string
  /** What is wrong with it, phrased so the caller knows what to change. */
  readonly reason: string
}> {
  override get message(): string {
    return `Invalid fusion input ${this.input}: ${this.reason}`
  }
}
