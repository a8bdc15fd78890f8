/**
 * The error an effect fails with, for tests that expect a failure. Where `Effect.flip` would hand a success value
 * to the assertions as if it were the error (and a large result makes Vitest's failure report take minutes), this
 * fails the test with a short message instead.
 */
import { Effect } from "effect"

export const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.either(effect), (outcome) =>
    outcome._tag === "Left" ? Effect.succeed(outcome.left) : Effect.die(new Error("expected a failure, got a success"))
  )
