/**
 * Where the shared conformance data lives: `EFFECT_RERANK_CONFORMANCE`, else `../shared/conformance` beside the
 * repository.
 *
 * @since 0.2.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"

/**
 * @since 0.2.0
 * @category constants
 */
export const dir: string =
  process.env.EFFECT_RERANK_CONFORMANCE ?? fileURLToPath(new URL("../../../../shared/conformance/", import.meta.url))

/**
 * Runs an evaluation command, saying in one line (exit 2) what data it needs when the collection cannot be read,
 * instead of a stack.
 *
 * @since 0.2.0
 * @category running
 */
export const requireData =
  (command: string) =>
  <A, E, R>(program: Effect.Effect<A, E | PlatformError.SystemError, R>): Effect.Effect<A | void, E, R> =>
    Effect.catchIf(
      program,
      (error): error is PlatformError.SystemError =>
        typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "SystemError",
      (error) =>
        Console.error(
          `${command} needs the Vaswani collection at ${dir}datasets/vaswani (set EFFECT_RERANK_CONFORMANCE to the conformance folder): ${error.message}`
        ).pipe(Effect.zipRight(Effect.sync(() => void (process.exitCode = 2))))
    )
