/**
 * `Reranker.fallback`: the next reranker takes the call when the first fails, after its own retries, with an error of
 * a kind the user names; fail-open answers in input order; interruption cancels the chain; spans show each try.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import { recordingTracer } from "../../../test-utils/Spans.js"

const query = "capital of france"
const documents = ["berlin", "paris is the capital of france", "rome", "madrid"]

const rateLimited = new RerankError.RateLimitError({ retryAfter: Option.some(Duration.seconds(2)), status: 429 })

/** A test reranker that counts its calls and fails (or hangs) as told. */
const counted = (model: string, behaviour: "ok" | RerankError.RerankError | "hang") => {
  const counter = { calls: 0 }
  const make = Reranker.makeTest(
    (q, text) => {
      counter.calls++
      if (behaviour === "hang") return Effect.never
      if (behaviour !== "ok") return Effect.fail(behaviour)
      return text.includes(q) ? 1 : text.length / 100
    },
    { model }
  )
  return { counter, make }
}

const settle = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust(Duration.hours(1))
    return yield* Fiber.join(fiber)
  })

describe("Reranker.fallback", () => {
  it.effect("the primary rate-limited past its retries: the secondary answers, and says so", () =>
    Effect.gen(function* () {
      const primary = counted("primary", rateLimited)
      const secondary = counted("secondary", "ok")
      const chain = Reranker.fallback([yield* primary.make, yield* secondary.make])
      const outcome = yield* settle(chain.rerank({ query, documents, topN: 2 }))
      expect(outcome._tag).toBe("Right")
      if (outcome._tag !== "Right") return
      const result = outcome.right
      expect(result.model).toBe("secondary")
      // "berlin" and "madrid" tie at 0.06: the earlier input wins.
      expect(result.results.map((r) => r.index)).toEqual([1, 0])
      expect(result.warnings).toEqual(["answered by secondary (fallback 2 of 2) after RateLimitError"])
      // The primary's own policy ran first: 1 attempt + 3 retries, one document scored per attempt's first call.
      expect(primary.counter.calls).toBe(4)
      expect(secondary.counter.calls).toBe(documents.length)
    })
  )

  it.effect("an error of another kind (a bad key) fails at once: the next reranker is not tried", () =>
    Effect.gen(function* () {
      const primary = counted("primary", new RerankError.AuthenticationError({ reason: "invalid-key", status: 401 }))
      const secondary = counted("secondary", "ok")
      const chain = Reranker.fallback([yield* primary.make, yield* secondary.make])
      const outcome = yield* settle(chain.rerank({ query, documents }))
      expect(outcome._tag === "Left" && outcome.left._tag).toBe("AuthenticationError")
      expect(secondary.counter.calls).toBe(0)
    })
  )

  it.effect("`on` names the kinds: with only ServiceError listed, a rate limit is not passed on", () =>
    Effect.gen(function* () {
      const primary = counted("primary", rateLimited)
      const secondary = counted("secondary", "ok")
      const chain = Reranker.fallback([yield* primary.make, yield* secondary.make], { on: ["ServiceError"] })
      const outcome = yield* settle(chain.rerank({ query, documents }))
      expect(outcome._tag === "Left" && outcome.left._tag).toBe("RateLimitError")
      expect(secondary.counter.calls).toBe(0)
    })
  )

  it.effect("every reranker down: the last error, with its attempts; or, fail-open, input order with a warning", () =>
    Effect.gen(function* () {
      const service = new RerankError.ServiceError({ status: 503 })
      const closed = Reranker.fallback([yield* counted("a", rateLimited).make, yield* counted("b", service).make])
      const failed = yield* settle(closed.rerank({ query, documents }))
      expect(failed._tag === "Left" && failed.left._tag).toBe("ServiceError")
      expect(failed._tag === "Left" && failed.left.attempts).toBe(4)

      const open = Reranker.fallback([yield* counted("a", rateLimited).make, yield* counted("b", service).make], {
        failOpen: true
      })
      const answered = yield* settle(open.rerank({ query, documents, topN: 3 }))
      expect(answered._tag).toBe("Right")
      if (answered._tag !== "Right") return
      expect(answered.right.results.map((r) => [r.index, r.rank, r.document])).toEqual([
        [0, 1, "berlin"],
        [1, 2, "paris is the capital of france"],
        [2, 3, "rome"]
      ])
      expect(answered.right.warnings).toEqual([
        "no reranker answered (RateLimitError, ServiceError): documents returned in input order"
      ])
      expect(answered.right.usage.requests).toBe(0)
    })
  )

  it.effect("interrupting the call cancels the try in flight and starts no other", () =>
    Effect.gen(function* () {
      const primary = counted("primary", "hang")
      const secondary = counted("secondary", "ok")
      const chain = Reranker.fallback([yield* primary.make, yield* secondary.make])
      const fiber = yield* Effect.fork(chain.rerank({ query, documents }))
      yield* TestClock.adjust(Duration.seconds(1))
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust(Duration.hours(1))
      expect(primary.counter.calls).toBeGreaterThan(0)
      expect(secondary.counter.calls).toBe(0)
    })
  )

  it.effect("spans: one Reranker.fallback span, each try its own Reranker.rerank span under it", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recordingTracer
      const chain = Reranker.fallback([
        yield* counted("primary", rateLimited).make,
        yield* counted("secondary", "ok").make
      ])
      yield* settle(chain.rerank({ query, documents }).pipe(Effect.withTracer(tracer)))
      const root = spans.find((s) => s.name === "Reranker.fallback")
      expect(root?.attributes.get("rerank.fallback.answered_by")).toBe(1)
      const tries = spans.filter((s) => s.name === "Reranker.rerank")
      expect(tries.length).toBe(2)
      for (const t of tries) expect(Option.map(t.parent, (p) => p.spanId)).toEqual(Option.some(root!.spanId))
      expect(tries.map((t) => t.attributes.get("gen_ai.request.model"))).toEqual(["primary", "secondary"])
    })
  )

  it.effect("the primary answering adds no warning; past two failures the warning names both, in order", () =>
    Effect.gen(function* () {
      const first = Reranker.fallback([yield* counted("primary", "ok").make, yield* counted("secondary", "ok").make])
      const answered = yield* settle(first.rerank({ query, documents }))
      expect(answered._tag === "Right" && answered.right.warnings).toEqual([])
      expect(answered._tag === "Right" && answered.right.model).toBe("primary")

      const third = Reranker.fallback([
        yield* counted("a", rateLimited).make,
        yield* counted("b", new RerankError.ServiceError({ status: 503 })).make,
        yield* counted("c", "ok").make
      ])
      const outcome = yield* settle(third.rerank({ query, documents }))
      expect(outcome._tag === "Right" && outcome.right.warnings).toEqual([
        "answered by c (fallback 3 of 3) after RateLimitError, ServiceError"
      ])
    })
  )

  it.effect("fail-open: the result's model is fail-open, and its span says so", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recordingTracer
      const open = Reranker.fallback([yield* counted("a", rateLimited).make, yield* counted("b", rateLimited).make], {
        failOpen: true
      })
      const outcome = yield* settle(open.rerank({ query, documents }).pipe(Effect.withTracer(tracer)))
      expect(outcome._tag === "Right" && outcome.right.model).toBe("fail-open")
      const root = spans.find((s) => s.name === "Reranker.fallback")!
      expect(root.kind).toBe("internal")
      expect(root.attributes.get("rerank.fallback.rerankers")).toBe(2)
      expect(root.attributes.get("rerank.fallback.fail_open")).toBe(true)
      expect(root.attributes.has("rerank.fallback.answered_by")).toBe(false)
    })
  )

  it.effect("a chain that fails ends its span with the error, without capturing a stack trace on every call", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recordingTracer
      const closed = Reranker.fallback([yield* counted("a", rateLimited).make, yield* counted("b", rateLimited).make])
      const outcome = yield* settle(closed.rerank({ query, documents }).pipe(Effect.withTracer(tracer)))
      expect(outcome._tag).toBe("Left")
      const root = spans.find((s) => s.name === "Reranker.fallback")!
      expect(root.status._tag === "Ended" && root.status.exit._tag).toBe("Failure")
      // Effect records the captured trace as code.stacktrace when a span that asked for one fails.
      expect(root.attributes.has("code.stacktrace")).toBe(false)
    })
  )

  it.effect("layerFallback chains layers that all provide Reranker", () =>
    Effect.gen(function* () {
      const failing = Reranker.layerTest(() => Effect.fail(new RerankError.ServiceError({ status: 503 })), {
        model: "primary",
        retry: { maxRetries: 0 }
      })
      const working = Reranker.layerTest(() => 0.5, { model: "secondary" })
      const result = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(Reranker.layerFallback([failing, working]))
      )
      expect(result.model).toBe("secondary")
    })
  )
})

describe("every effect can be run again", () => {
  it.effect("a fallback effect run twice reports each run's own failures, not the first run's again", () =>
    Effect.gen(function* () {
      const primary = counted("primary", rateLimited)
      const secondary = counted("secondary", "ok")
      const chain = Reranker.fallback([yield* primary.make, yield* secondary.make])
      const once = chain.rerank({ query, documents, topN: 2 })
      const first = yield* settle(once)
      const second = yield* settle(once)
      const warnings = ["answered by secondary (fallback 2 of 2) after RateLimitError"]
      expect(first._tag === "Right" && first.right.warnings).toEqual(warnings)
      expect(second._tag === "Right" && second.right.warnings).toEqual(warnings)
      expect(second).toEqual(first)
    })
  )

  it.effect("fail-open twice: each run names only its own errors", () =>
    Effect.gen(function* () {
      const chain = Reranker.fallback(
        [
          yield* counted("a", rateLimited).make,
          yield* counted("b", new RerankError.ServiceError({ status: 503 })).make
        ],
        { failOpen: true }
      )
      const once = chain.rerank({ query, documents })
      const first = yield* settle(once)
      const second = yield* settle(once)
      const warning = "no reranker answered (RateLimitError, ServiceError): documents returned in input order"
      expect(first._tag === "Right" && first.right.warnings).toEqual([warning])
      expect(second._tag === "Right" && second.right.warnings).toEqual([warning])
    })
  )
})
