/**
 * The per-attempt timeout, on the clock a user runs: virtual time under `TestClock`, and the live clock, whose timer
 * is the platform's own. What a user relies on: the attempt that hangs ends as a `TimeoutError` of scope `attempt`
 * after exactly its timeout and is interrupted (its finalizers run); one that answers does not wait for the timer.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, TestClock } from "effect"

const documents = ["red apple", "blue sky", "apple pie"]
const query = "apple"

/** A provider whose window hangs (`"hang"`) or answers, counting starts and interruptions. */
const scripted = (behaviour: (documents: ReadonlyArray<string>, start: number) => "hang" | "ok") => {
  const seen = { started: 0, interrupted: 0 }
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "timeouts",
    model: "timeouts-v1",
    rerankWindow: ({ documents }) =>
      Effect.suspend(() => {
        if (behaviour(documents, seen.started++) === "hang") {
          return Effect.onInterrupt(Effect.never, () => Effect.sync(() => seen.interrupted++))
        }
        return Effect.succeed({ results: documents.map((_, index) => ({ index, score: 1 - index / 10 })) })
      })
  }
  return { provider, seen }
}

describe("the per-attempt timeout", () => {
  it.effect(
    "under TestClock: fails after exactly the timeout, interrupting the attempt, and each retry gets its own",
    () =>
      Effect.gen(function* () {
        const { provider, seen } = scripted(() => "hang")
        const reranker = yield* Reranker.make(provider, {
          timeout: "5 seconds",
          retry: { maxRetries: 1, base: "1 second" }
        })
        const fiber = yield* Effect.fork(Effect.either(reranker.rerank({ query, documents })))
        yield* TestClock.adjust("4999 millis")
        expect(fiber.unsafePoll()).toBeNull()
        expect(seen).toEqual({ started: 1, interrupted: 0 })
        yield* TestClock.adjust("1 millis")
        // The first attempt timed out and was interrupted; the retry waits its delay (1 s, jittered by at most 20%),
        // then hangs in turn.
        expect(seen).toEqual({ started: 1, interrupted: 1 })
        yield* TestClock.adjust("1200 millis")
        expect(seen.started).toBe(2)
        yield* TestClock.adjust("5 seconds")
        const outcome = yield* Fiber.join(fiber)
        expect(outcome._tag).toBe("Left")
        if (outcome._tag !== "Left") return
        expect(outcome.left).toBeInstanceOf(RerankError.TimeoutError)
        expect(outcome.left).toMatchObject({ _tag: "TimeoutError", scope: "attempt", attempts: 2 })
        expect(Duration.toMillis((outcome.left as RerankError.TimeoutError).timeout)).toBe(5000)
        expect(seen).toEqual({ started: 2, interrupted: 2 })
      })
  )

  it.effect("an attempt that answers does not wait for its timer: the call ends with virtual time standing still", () =>
    Effect.gen(function* () {
      const { provider, seen } = scripted(() => "ok")
      const reranker = yield* Reranker.make(provider, { timeout: "5 seconds" })
      const result = yield* reranker.rerank({ query, documents })
      expect(result.results.map((r) => r.index)).toEqual([0, 1, 2])
      expect(seen).toEqual({ started: 1, interrupted: 0 })
    })
  )

  it.effect("a caller that interrupts the call interrupts its attempt", () =>
    Effect.gen(function* () {
      const { provider, seen } = scripted(() => "hang")
      const reranker = yield* Reranker.make(provider, { timeout: "5 seconds" })
      const fiber = yield* Effect.fork(reranker.rerank({ query, documents }))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(seen).toEqual({ started: 1, interrupted: 1 })
    })
  )

  // The live clock's timer is the platform's `setTimeout`, a path of its own: 40 ms of real time, once.
  it.live("on the live clock: a hanging attempt fails as a TimeoutError and is interrupted", () =>
    Effect.gen(function* () {
      const { provider, seen } = scripted(() => "hang")
      const reranker = yield* Reranker.make(provider, { timeout: "40 millis", retry: { maxRetries: 0 } })
      const outcome = yield* Effect.either(reranker.rerank({ query, documents }))
      expect(outcome._tag).toBe("Left")
      expect(outcome._tag === "Left" ? outcome.left : undefined).toMatchObject({
        _tag: "TimeoutError",
        scope: "attempt",
        attempts: 1
      })
      expect(seen).toEqual({ started: 1, interrupted: 1 })
    })
  )

  it.live("on the live clock: an attempt that answers in time is not cut short", () =>
    Effect.gen(function* () {
      const { provider, seen } = scripted(() => "ok")
      const reranker = yield* Reranker.make(provider, { timeout: "10 seconds" })
      const result = yield* reranker.rerank({ query, documents })
      expect(result.results).toHaveLength(3)
      expect(seen).toEqual({ started: 1, interrupted: 0 })
    })
  )

  it.effect("windows run concurrently, each with its own timer: only the one that hangs is retried", () =>
    Effect.gen(function* () {
      // "blue sky" hangs the first time it is sent; every other window answers at once.
      let blueSent = 0
      const { provider, seen } = scripted((sent) => (sent.includes("blue sky") && blueSent++ === 0 ? "hang" : "ok"))
      const reranker = yield* Reranker.make(provider, {
        maxDocumentsPerRequest: 1,
        concurrency: 3,
        timeout: "5 seconds",
        retry: { maxRetries: 1, base: "1 second" }
      })
      const fiber = yield* Effect.fork(reranker.rerank({ query, documents }))
      yield* TestClock.adjust("5 seconds")
      expect(seen).toEqual({ started: 3, interrupted: 1 })
      yield* TestClock.adjust("1200 millis")
      const result = yield* Fiber.join(fiber)
      expect(result.results.map((r) => r.document).sort()).toEqual([...documents].sort())
      expect(result.usage.requests).toBe(3)
      expect(seen).toEqual({ started: 4, interrupted: 1 })
    })
  )

  it.effect("the wait for the quota is not the attempt's: windows queued past the timeout are not cut short", () =>
    Effect.gen(function* () {
      const { provider, seen } = scripted(() => "ok")
      // One token every 10 s and three windows: the third waits 20 s, four times its 5 s timeout.
      const reranker = yield* Reranker.make(provider, {
        maxDocumentsPerRequest: 1,
        concurrency: 3,
        timeout: "5 seconds",
        rateLimit: { limit: 1, window: "10 seconds" }
      })
      const fiber = yield* Effect.fork(Effect.either(reranker.rerank({ query, documents })))
      yield* TestClock.adjust("20 seconds")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome._tag).toBe("Right")
      expect(seen).toEqual({ started: 3, interrupted: 0 })
    })
  )
})
