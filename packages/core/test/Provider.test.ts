import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import {
  Clock,
  Context,
  Duration,
  Effect,
  Either,
  Fiber,
  HashMap,
  Logger,
  LogLevel,
  Option,
  Schema,
  TestClock
} from "effect"
import { recordingTracer } from "../../../test-utils/Spans.js"

/**
 * A provider a user writes in a few lines, through the public API only: it scores by word overlap, answers windows
 * in input order, and fails as its script says. Everything else must come from the core.
 */
const userProvider = (
  script: (call: number, documents: ReadonlyArray<string>) => "ok" | RerankError.RerankError | "hang"
) => {
  let calls = 0
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "overlap",
    model: "overlap-v1",
    maxDocumentsPerRequest: 3,
    rerankWindow: ({ documents, query }) =>
      Effect.suspend(() => {
        const step = script(calls++, documents)
        if (step === "hang") return Effect.never
        if (step !== "ok") return Effect.fail(step)
        const words = new Set(query.split(" "))
        return Effect.succeed({
          results: documents.map((text, index) => ({
            index,
            score: text.split(" ").filter((w) => words.has(w)).length
          }))
        })
      })
  }
  return { provider, calls: () => calls }
}

const documents = ["red apple", "green apple pie", "blue sky", "apple", "red red apple pie", "sky"]
const query = "red apple pie"

/** Runs `effect` with the TestClock moved far ahead, recording spans. */
const run = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const { spans, tracer } = yield* recordingTracer
    const fiber = yield* effect.pipe(Effect.withTracer(tracer), Effect.either, Effect.fork)
    yield* TestClock.adjust(Duration.hours(1))
    return { outcome: yield* Fiber.join(fiber), spans }
  })

const rateLimited = (seconds: number) =>
  new RerankError.RateLimitError({ retryAfter: Option.some(Duration.seconds(seconds)), status: 429 })

describe("a user-written provider gets every guarantee from the core", () => {
  it.effect("batching past its limit, score merge, ties, topN, and the call's span", () =>
    Effect.gen(function* () {
      const { calls, provider } = userProvider(() => "ok")
      const reranker = yield* Reranker.make(provider)
      const { outcome, spans } = yield* run(reranker.rerank({ query, documents, topN: 4 }))
      const result = getRight(outcome)
      // Windows of 3 (the provider's own limit), merged by score; ties by input index.
      expect(calls()).toBe(2)
      expect(result.results.map((r) => [r.index, r.score])).toEqual([
        [4, 4],
        [0, 2],
        [1, 2],
        [3, 1]
      ])
      expect(result.results.map((r) => r.rank)).toEqual([1, 2, 3, 4])
      expect(result.usage).toEqual({ searchUnits: 0, requests: 2 })
      const span = spans.find((s) => s.name === "Reranker.rerank")!
      expect(span.attributes.get("gen_ai.system")).toBe("overlap")
      expect(span.attributes.get("gen_ai.request.model")).toBe("overlap-v1")
      expect(span.attributes.get("rerank.windows")).toBe(2)
      expect(span.attributes.get("rerank.attempts")).toBe(2)
    })
  )

  it.effect("a 429 with Retry-After is retried after exactly that delay, attempts counted on the result's span", () =>
    Effect.gen(function* () {
      const at: Array<number> = []
      const { provider } = userProvider((call) => (call === 0 ? rateLimited(7) : "ok"))
      const timed = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => at.push(now)))
      const tracked: Reranker.Provider = {
        ...provider,
        rerankWindow: (request) => Effect.zipRight(timed, provider.rerankWindow(request))
      }
      const reranker = yield* Reranker.make(tracked, { maxDocumentsPerRequest: 10 })
      const { outcome, spans } = yield* run(reranker.rerank({ query, documents }))
      expect(getRight(outcome).results[0].index).toBe(4)
      expect(at).toEqual([0, 7000])
      expect(spans.find((s) => s.name === "Reranker.rerank")!.attributes.get("rerank.attempts")).toBe(2)
    })
  )

  it.effect("retries stop after 3 and the error carries 4 attempts; a Retry-After past the cap stops at once", () =>
    Effect.gen(function* () {
      const always = userProvider(() => new RerankError.ServiceError({ status: 503 }))
      const failing = yield* Reranker.make(always.provider, { maxDocumentsPerRequest: 10 })
      const { outcome } = yield* run(failing.rerank({ query, documents }))
      expect(getLeft(outcome)).toMatchObject({ _tag: "ServiceError", status: 503, attempts: 4 })
      expect(always.calls()).toBe(4)

      const patient = userProvider(() => rateLimited(120))
      const limited = yield* Reranker.make(patient.provider, { maxDocumentsPerRequest: 10 })
      const second = yield* run(limited.rerank({ query, documents }))
      expect(getLeft(second.outcome)).toMatchObject({ _tag: "RateLimitError", attempts: 1 })
      expect(patient.calls()).toBe(1)
    })
  )

  it.effect("a hanging attempt times out per attempt and is retried; totalTimeout ends the call", () =>
    Effect.gen(function* () {
      const hanging = userProvider((call) => (call < 2 ? "hang" : "ok"))
      const reranker = yield* Reranker.make(hanging.provider, { maxDocumentsPerRequest: 10, timeout: "5 seconds" })
      const { outcome } = yield* run(reranker.rerank({ query, documents }))
      expect(getRight(outcome).results.length).toBe(6)
      expect(hanging.calls()).toBe(3)

      const forever = userProvider(() => "hang")
      const bounded = yield* Reranker.make(forever.provider, { timeout: "5 seconds", totalTimeout: "8 seconds" })
      const second = yield* run(bounded.rerank({ query, documents }))
      const error = getLeft(second.outcome)
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      expect(Duration.toMillis((error as RerankError.TimeoutError).timeout)).toBe(8000)
    })
  )

  it.effect("a non-retryable error is not retried, and Progress hears every retry", () =>
    Effect.gen(function* () {
      const denied = userProvider(() => new RerankError.AuthenticationError({ reason: "invalid-key", status: 401 }))
      const reranker = yield* Reranker.make(denied.provider, { maxDocumentsPerRequest: 10 })
      const { outcome } = yield* run(reranker.rerank({ query, documents }))
      expect(getLeft(outcome)).toMatchObject({ _tag: "AuthenticationError", attempts: 1 })
      expect(denied.calls()).toBe(1)

      const retries: Array<string> = []
      const flaky = userProvider((call) => (call < 2 ? new RerankError.TransportError({ reason: "reset" }) : "ok"))
      const observed = yield* Reranker.make(flaky.provider, { maxDocumentsPerRequest: 10 })
      yield* run(
        observed.rerank({ query, documents }).pipe(
          Effect.provideService(Reranker.Progress, {
            onWindow: () => Effect.void,
            onRetry: (error, attempt) => Effect.sync(() => retries.push(`${error._tag}@${attempt}`))
          })
        )
      )
      expect(retries).toEqual(["TransportError@1", "TransportError@2"])
    })
  )

  it.effect("a provider's index outside its window or a non-finite score is a ResponseDecodeError, not retried", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [ReadonlyArray<{ index: number; score: unknown }>, string]> = [
        [[{ index: -1, score: 1 }], "result index -1 is outside 0..5"],
        [[{ index: 6, score: 1 }], "result index 6 is outside 0..5"],
        [[{ index: 0.5, score: 1 }], "result index 0.5 is outside 0..5"],
        [
          [
            { index: 2, score: 1 },
            { index: 2, score: 0.5 }
          ],
          "result index 2 appears twice"
        ],
        [[{ index: 0, score: Infinity }], "result 0 has a score that is not a finite number"],
        [[{ index: 3, score: NaN }], "result 3 has a score that is not a finite number"],
        // What a provider written in JavaScript might hand over.
        [[{ index: 1, score: "0.5" }], "result 1 has a score that is not a finite number"],
        [[{ index: 1, score: null }], "result 1 has a score that is not a finite number"]
      ]
      for (const [results, reason] of cases) {
        let calls = 0
        const reranker = yield* Reranker.make({
          specificationVersion: "v2",
          system: "bad",
          model: "m",
          rerankWindow: () =>
            Effect.sync(() => (calls++, { results: results as Array<{ index: number; score: number }> }))
        })
        const { outcome } = yield* run(reranker.rerank({ query, documents }))
        expect(getLeft(outcome)).toMatchObject({ _tag: "ResponseDecodeError", reason, attempts: 1 })
        expect(calls).toBe(1)
      }
    })
  )

  it.effect("with batching off, exactly the provider's limit is one request; one more is refused before sending", () =>
    Effect.gen(function* () {
      const { calls, provider } = userProvider(() => "ok")
      const reranker = yield* Reranker.make(provider, { batching: false })
      const { outcome } = yield* run(reranker.rerank({ query, documents: documents.slice(0, 3) }))
      expect(getRight(outcome).results.length).toBe(3)
      expect(calls()).toBe(1)
      const over = yield* run(reranker.rerank({ query, documents: documents.slice(0, 4) }))
      expect(getLeft(over.outcome)).toMatchObject({
        _tag: "PayloadLimitError",
        limit: 3,
        actual: 4,
        unit: "documents",
        attempts: 0
      })
      expect(calls()).toBe(1)
    })
  )

  it.effect("the span names the top N only when one is asked for", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make(userProvider(() => "ok").provider)
      const withTopN = yield* run(reranker.rerank({ query, documents, topN: 2 }))
      const without = yield* run(reranker.rerank({ query, documents }))
      const span = (recorded: typeof without) => recorded.spans.find((s) => s.name === "Reranker.rerank")!
      expect(span(withTopN).attributes.get("gen_ai.request.top_n")).toBe(2)
      expect(span(without).attributes.has("gen_ai.request.top_n")).toBe(false)
      expect(span(without).attributes.get("gen_ai.operation.name")).toBe("rerank")
      expect(span(without).attributes.get("rerank.documents.count")).toBe(6)
    })
  )

  it.effect("each failed attempt is logged at debug level: the attempt, the error's tag, its status or none", () =>
    Effect.gen(function* () {
      const logged: Array<Record<string, unknown>> = []
      const logger = Logger.make(({ annotations, message }) => {
        logged.push({ message, ...Object.fromEntries(HashMap.toEntries(annotations)) })
      })
      const flaky = userProvider((call) =>
        call === 0 ? "hang" : call === 1 ? new RerankError.ServiceError({ status: 503 }) : "ok"
      )
      const reranker = yield* Reranker.make(flaky.provider, { maxDocumentsPerRequest: 10, timeout: "5 seconds" })
      yield* run(
        reranker
          .rerank({ query, documents })
          .pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
            Logger.withMinimumLogLevel(LogLevel.Debug)
          )
      )
      expect(logged).toEqual([
        { message: ["rerank attempt failed"], attempt: 1, error: "TimeoutError", status: "none" },
        { message: ["rerank attempt failed"], attempt: 2, error: "ServiceError", status: 503 }
      ])
    })
  )

  it.effect("the provider's hint joins the core's vendor-neutral message", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make({
        specificationVersion: "v2",
        system: "acme",
        model: "m",
        hint: (error) => (error._tag === "AuthenticationError" ? "Set ACME_API_KEY." : undefined),
        rerankWindow: () => Effect.fail(new RerankError.AuthenticationError({ reason: "invalid-key", status: 401 }))
      })
      const { outcome } = yield* run(reranker.rerank({ query, documents }))
      const error = getLeft(outcome)
      expect(error).toMatchObject({ hint: "Set ACME_API_KEY." })
      expect(error.message).toContain("The API key was rejected")
      expect(error.message).toContain("Set ACME_API_KEY.")
    })
  )
})

describe("the service tags", () => {
  // Two copies of the package in one program (a bundled CLI beside an app's own install) must meet on one
  // service: a tag is found by its key, so the keys are part of the contract.
  it.effect("Reranker and Progress are found by their keys, whichever copy of the package provided them", () =>
    Effect.gen(function* () {
      const service = yield* Reranker.makeTest(() => 1, { model: "from-another-copy" })
      const otherCopy = Context.GenericTag<Reranker.Reranker, Reranker.Service>("@effect-rerank/core/Reranker")
      const result = yield* Reranker.rerank({ query, documents: ["a"] }).pipe(Effect.provideService(otherCopy, service))
      expect(result.model).toBe("from-another-copy")

      const windows: Array<number> = []
      const otherProgress = Context.GenericTag<Reranker.Progress, Reranker.Progress["Type"]>(
        "@effect-rerank/core/Reranker/Progress"
      )
      const reranker = yield* Reranker.makeTest(() => 1, { maxDocumentsPerRequest: 2 })
      yield* reranker
        .rerank({ query, documents })
        .pipe(Effect.provideService(otherProgress, { onWindow: (done) => Effect.sync(() => windows.push(done)) }))
      expect(windows).toEqual([1, 2, 3])
    })
  )

  it.effect("a test reranker reports its system as test", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.makeTest(() => 1)
      const { spans } = yield* run(reranker.rerank({ query, documents }))
      expect(spans.find((s) => s.name === "Reranker.rerank")!.attributes.get("gen_ai.system")).toBe("test")
    })
  )
})

describe("RerankError round-trips through JSON", () => {
  const errors: ReadonlyArray<RerankError.RerankError> = [
    new RerankError.AuthenticationError({
      reason: "billing",
      status: 402,
      serverMessage: "pay",
      requestId: "r1",
      attempts: 1
    }),
    new RerankError.RateLimitError({ retryAfter: Option.some(Duration.millis(1500)), status: 429, attempts: 4 }),
    new RerankError.RateLimitError({ retryAfter: Option.none(), status: 429, attempts: 1, hint: "slow down" }),
    new RerankError.TimeoutError({ timeout: Duration.seconds(60), scope: "attempt", attempts: 4 }),
    new RerankError.TimeoutError({ timeout: Duration.seconds(5), scope: "total", attempts: 2 }),
    new RerankError.PayloadLimitError({ limit: 1000, actual: 1200, unit: "documents" }),
    new RerankError.InvalidRequestError({ field: "query", reason: "must be a non-empty string" }),
    new RerankError.ServiceError({ status: 503, attempts: 4 }),
    new RerankError.TransportError({ reason: "Transport: ECONNRESET", attempts: 4 }),
    new RerankError.ResponseDecodeError({ reason: "results is missing", status: 200, attempts: 1 })
  ]
  const encode = Schema.encodeSync(RerankError.RerankError)
  const decode = Schema.decodeUnknownSync(RerankError.RerankError)

  for (const error of errors) {
    it(`${error._tag} survives encode, JSON.stringify, JSON.parse, decode`, () => {
      const wire = JSON.parse(JSON.stringify(encode(error)))
      const back = decode(wire)
      expect(back).toBeInstanceOf(error.constructor)
      expect(back).toEqual(error)
      expect(back.message).toBe(error.message)
      expect(RerankError.isRerankError(back)).toBe(true)
    })
  }

  it("durations travel as milliseconds", () => {
    const wire = encode(new RerankError.TimeoutError({ timeout: Duration.seconds(60), scope: "attempt", attempts: 1 }))
    expect(wire).toMatchObject({ _tag: "TimeoutError", timeout: 60000 })
  })
})

const getRight = <A, E>(outcome: Either.Either<A, E>): A => Either.getOrThrowWith(outcome, (e) => e)

const getLeft = <A, E>(outcome: Either.Either<A, E>): E =>
  Either.getOrThrowWith(Either.flip(outcome), () => new Error("expected a failure, got success"))

describe("the provider contract (v2)", () => {
  /** A provider that encodes a body once per window, refusing one over `cap` characters before sending. */
  const bodied = (cap: number) => {
    const sent: Array<string> = []
    let prepared = 0
    const provider: Reranker.Provider<{ readonly body: string; readonly size: number }> = {
      specificationVersion: "v2",
      system: "bodied",
      model: "b-1",
      maxDocumentsPerRequest: 3,
      prepare: (request) => {
        prepared++
        const body = JSON.stringify(request.documents)
        return body.length > cap
          ? Either.left(new RerankError.PayloadLimitError({ limit: cap, actual: body.length, unit: "bytes" }))
          : Either.right({ body, size: request.documents.length })
      },
      rerankWindow: ({ body, size }) =>
        Effect.sync(() => {
          sent.push(body)
          return { results: Array.from({ length: size }, (_, index) => ({ index, score: 1 / (index + 1) })) }
        })
    }
    return { provider, sent, prepared: () => prepared }
  }

  it.effect("prepare runs once per window; its refusal is no attempt, never retried, and nothing is sent", () =>
    Effect.gen(function* () {
      const small = bodied(1000)
      const reranker = yield* Reranker.make(small.provider)
      const result = yield* reranker.rerank({ query, documents })
      expect(result.results.length).toBe(6)
      expect(small.prepared()).toBe(2)
      expect(small.sent.length).toBe(2)

      const tiny = bodied(10)
      const refusing = yield* Reranker.make(tiny.provider)
      const { outcome } = yield* run(refusing.rerank({ query, documents }))
      expect(getLeft(outcome)).toMatchObject({ _tag: "PayloadLimitError", unit: "bytes", limit: 10, attempts: 0 })
      expect(tiny.sent).toEqual([])
    })
  )

  it.effect("a provider of another contract version is refused when the reranker is built", () =>
    Effect.gen(function* () {
      const { provider } = userProvider(() => "ok")
      const error = yield* Effect.flip(Reranker.make({ ...provider, specificationVersion: "v3" as "v2" }))
      expect(String(error)).toBe(
        '(Invalid data at provider.specificationVersion: "is v3; this core runs providers of contract v2")'
      )
      // One written before the contract had a version runs as v2.
      const { specificationVersion: _, ...unversioned } = provider
      const reranker = yield* Reranker.make(unversioned as Reranker.Provider)
      expect((yield* reranker.rerank({ query, documents })).results.length).toBe(6)
    })
  )

  it.effect("limits per model: a request's model is windowed by its own published limit", () =>
    Effect.gen(function* () {
      const sizes: Array<readonly [string, number]> = []
      const provider: Reranker.Provider = {
        specificationVersion: "v2",
        system: "limited",
        model: "big",
        maxDocumentsPerRequest: 4,
        maxDocumentsFor: (model) => (model === "small" ? 2 : model === "big" ? 5 : undefined),
        rerankWindow: (request) =>
          Effect.sync(() => {
            sizes.push([request.model, request.documents.length])
            return { results: request.documents.map((_, index) => ({ index, score: index })) }
          })
      }
      const reranker = yield* Reranker.make(provider)
      yield* reranker.rerank({ query, documents })
      yield* reranker.rerank({ query, documents, model: "small" })
      yield* reranker.rerank({ query, documents, model: "unknown" })
      expect(sizes).toEqual([
        ["big", 3],
        ["big", 3],
        ["small", 2],
        ["small", 2],
        ["small", 2],
        ["unknown", 3],
        ["unknown", 3]
      ])
      // The caller's bound applies below a model's limit, never above it.
      sizes.length = 0
      const bounded = yield* Reranker.make(provider, { maxDocumentsPerRequest: 100 })
      yield* bounded.rerank({ query, documents, model: "small" })
      yield* bounded.rerank({ query, documents, model: "unknown" })
      expect(sizes).toEqual([
        ["small", 2],
        ["small", 2],
        ["small", 2],
        ["unknown", 6]
      ])
    })
  )

  it.effect("an answer short of what was asked is said in a warning, never silently", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make({
        specificationVersion: "v2",
        system: "short",
        model: "s",
        rerankWindow: () => Effect.succeed({ results: [{ index: 1, score: 0.5 }] })
      })
      const result = yield* reranker.rerank({ query, documents: ["a", "b", "c"] })
      expect(result.results.map((r) => r.index)).toEqual([1])
      expect(result.warnings).toEqual([
        "a window of 3 documents was answered with 1 results where 3 were asked: the documents left out are missing from the results"
      ])
      const top = yield* reranker.rerank({ query, documents: ["a", "b", "c"], topN: 1 })
      expect(top.warnings).toEqual([])
    })
  )

  it.effect("the same effect run twice gives the same answer, attempts counted per run", () =>
    Effect.gen(function* () {
      const { provider } = userProvider((call) =>
        call % 2 === 0 ? new RerankError.ServiceError({ status: 503 }) : "ok"
      )
      const reranker = yield* Reranker.make(provider, { maxDocumentsPerRequest: 10 })
      const once = reranker.rerank({ query, documents })
      const first = yield* run(once)
      const second = yield* run(once)
      expect(getRight(second.outcome)).toEqual(getRight(first.outcome))
      const attempts = (spans: typeof first.spans) =>
        spans.find((s) => s.name === "Reranker.rerank")!.attributes.get("rerank.attempts")
      expect(attempts(first.spans)).toBe(2)
      expect(attempts(second.spans)).toBe(2)
    })
  )
})
