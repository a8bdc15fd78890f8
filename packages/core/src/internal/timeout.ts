/**
 * The per-attempt timeout, cheaper than `Effect.timeoutFail` on the path every call takes. `timeoutFail` races the
 * attempt against a sleeping fiber and, when the attempt wins, waits for that fiber's interruption to be processed:
 * about 40 us of CPU and an event-loop turn per attempt. Here the attempt runs in one forked fiber and the caller
 * waits for it or for the timer, whichever ends first. On the live `Clock` the timer is the platform's own
 * `setTimeout` (what the live clock's sleep is), cancelled in a microsecond; on any other clock (`TestClock`, one of
 * your own) it is a fiber sleeping on that clock, so virtual time drives it. A timed-out attempt is interrupted and
 * awaited, as with `timeoutFail`, so its resources are released before the caller goes on.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** The longest delay `setTimeout` takes as it is (longer fires at once). */
const maxTimerMillis = 2_147_483_647

/** A started timer: `cancel` stops it, taking the id of the fiber that asks. */
type Cancel = (by: FiberId.FiberId) => void

const platformTimer = (millis: number, fire: () => void): Effect.Effect<Cancel> =>
  Effect.sync(() => {
    const handle = setTimeout(fire, millis)
    return () => clearTimeout(handle)
  })

const clockTimer = (clock: Clock.Clock, duration: Duration.Duration, fire: () => void): Effect.Effect<Cancel> =>
  Effect.map(Effect.fork(Effect.interruptible(clock.sleep(duration))), (sleeping) => {
    sleeping.addObserver((exit) => {
      if (Exit.isSuccess(exit)) fire()
    })
    return (by) => sleeping.unsafeInterruptAsFork(by)
  })

/** `self`, failing with `onTimeout()` when it has not ended within `duration` (an infinite duration never fires). */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  !Duration.isFinite(duration)
    ? self
    : Effect.clockWith((clock) =>
        Effect.uninterruptibleMask((restore) =>
          // The attempt's fiber ends with its exit as a value: a failed fiber nobody joined yet would be logged.
          Effect.flatMap(Effect.fork(Effect.exit(restore(self))), (attempt) => {
            let settle: ((timedOut: boolean) => void) | undefined
            let settled: boolean | undefined
            const finish = (timedOut: boolean) => {
              if (settled !== undefined) return
              settled = timedOut
              settle?.(timedOut)
            }
            const millis = Duration.toMillis(duration)
            const timer =
              clock === liveClock && millis <= maxTimerMillis
                ? platformTimer(millis, () => finish(true))
                : clockTimer(clock, duration, () => finish(true))
            return Effect.flatMap(timer, (cancel) => {
              attempt.addObserver(() => finish(false))
              const outcome = Effect.async<boolean>((resume) => {
                if (settled !== undefined) return resume(Effect.succeed(settled))
                settle = (timedOut) => resume(Effect.succeed(timedOut))
              })
              return restore(outcome).pipe(
                // The caller interrupted: both stop, and the attempt's release is awaited.
                Effect.onInterrupt(() =>
                  Effect.fiberIdWith((id) => {
                    cancel(id)
                    return Fiber.interrupt(attempt)
                  })
                ),
                Effect.flatMap((timedOut) =>
                  Effect.fiberIdWith((id): Effect.Effect<A, E | E2> => {
                    if (timedOut) return Effect.zipRight(Fiber.interrupt(attempt), Effect.fail(onTimeout()))
                    cancel(id)
                    return Effect.flatMap(attempt.await, (exit) =>
                      Effect.zipRight(attempt.inheritAll, Exit.flatten(exit))
                    )
                  })
                )
              )
            })
          })
        )
      )
