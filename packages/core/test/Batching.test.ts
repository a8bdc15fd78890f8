import { Batching, Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, FastCheck as fc, Fiber, Option, TestClock } from "effect"

const docs = (n: number) => Array.from({ length: n }, (_, i) => `document ${i}`)
// A pointwise score that does not follow input order, with ties.
const scoreOf = (text: string) => (Number(text.split(" ")[1]) * 7919) % 101

interface Recorder {
  readonly requests: Array<Reranker.WindowRequest>
  inFlight: number
  maxInFlight: number
  interrupted: number
}

/** A provider that takes `latency` of TestClock time per window and records what it was asked. */
const recordingProvider = (
  recorder: Recorder,
  options: {
    latency?: Duration.DurationInput
    fail?: (request: Reranker.WindowRequest) => Option.Option<RerankError.RerankError>
  } = {}
): Reranker.Provider => ({
  specificationVersion: "v2",
  system: "test",
  model: "m",
  rerankWindow: (request) =>
    Effect.gen(function* () {
      recorder.requests.push(request)
      recorder.inFlight++
      recorder.maxInFlight = Math.max(recorder.maxInFlight, recorder.inFlight)
      yield* Effect.sleep(options.latency ?? Duration.seconds(1))
      const failure = options.fail?.(request) ?? Option.none()
      if (Option.isSome(failure)) return yield* Effect.fail(failure.value)
      return {
        results: request.documents.map((text, index) => ({ index, score: scoreOf(text) })),
        searchUnits: Math.ceil(request.documents.length / 100)
      }
    }).pipe(
      Effect.onInterrupt(() => Effect.sync(() => recorder.interrupted++)),
      Effect.ensuring(Effect.sync(() => recorder.inFlight--))
    )
})

const newRecorder = (): Recorder => ({ requests: [], inFlight: 0, maxInFlight: 0, interrupted: 0 })

const runAll = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(Duration.minutes(10))
    return yield* Fiber.join(fiber)
  })

describe("Batching.windows", () => {
  it("splits 2,500 at 1,000 into three even windows", () => {
    expect(Batching.windows(2500, 1000)).toEqual([
      { offset: 0, size: 834 },
      { offset: 834, size: 833 },
      { offset: 1667, size: 833 }
    ])
    expect(Batching.windows(1000, 1000)).toEqual([{ offset: 0, size: 1000 }])
    expect(Batching.windows(1, 1000)).toEqual([{ offset: 0, size: 1 }])
  })

  it.prop(
    "covers every position once, in as few windows of at most max as possible",
    [fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1200 })],
    ([total, max]) => {
      const windows = Batching.windows(total, max)
      expect(windows.length).toBe(Math.ceil(total / max))
      let next = 0
      for (const window of windows) {
        expect(window.offset).toBe(next)
        expect(window.size).toBeGreaterThan(0)
        expect(window.size).toBeLessThanOrEqual(max)
        next += window.size
      }
      expect(next).toBe(total)
    }
  )
})

describe("Reranker batching", () => {
  it.effect("2,500 documents make 3 requests of at most 1,000, merged over all inputs", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const reranker = yield* Reranker.make(recordingProvider(recorder))
      const documents = docs(2500)
      const result = yield* runAll(reranker.rerank({ query: "q", documents }))
      expect(recorder.requests.map((r) => r.documents.length)).toEqual([834, 833, 833])
      expect(result.results.length).toBe(2500)
      expect(new Set(result.results.map((r) => r.index)).size).toBe(2500)
      expect(result.usage).toEqual({
        searchUnits: 9 + 9 + 9,
        requests: 3,
        // A provider that reports only search units: they are its billing, as reported.
        billed: { unit: "searchUnits", quantity: 27, source: "reported" }
      })
      for (const r of result.results) expect(r.document).toBe(documents[r.index])
    })
  )

  it.effect("never has more than `concurrency` windows in flight", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const reranker = yield* Reranker.make(recordingProvider(recorder), { maxDocumentsPerRequest: 10, concurrency: 3 })
      const fiber = yield* Effect.fork(reranker.rerank({ query: "q", documents: docs(100) }))
      yield* TestClock.adjust(Duration.millis(10))
      expect(recorder.inFlight).toBe(3)
      yield* TestClock.adjust(Duration.minutes(1))
      yield* Fiber.join(fiber)
      expect(recorder.requests.length).toBe(10)
      expect(recorder.maxInFlight).toBe(3)
    })
  )

  it.effect("pushes topN down to each window", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const reranker = yield* Reranker.make(recordingProvider(recorder), { maxDocumentsPerRequest: 10 })
      const result = yield* runAll(reranker.rerank({ query: "q", documents: docs(25), topN: 4 }))
      expect(recorder.requests.map((r) => r.topN)).toEqual([Option.some(4), Option.some(4), Option.some(4)])
      expect(result.results.length).toBe(4)
    })
  )

  it.effect("a window failing for good fails the call with that window's error and stops the others", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const broken = new RerankError.ServiceError({ status: 501, attempts: 1 })
      const provider = recordingProvider(recorder, {
        latency: Duration.seconds(1),
        fail: (request) => (request.documents[0] === "document 10" ? Option.some(broken) : Option.none())
      })
      const slowOthers: Reranker.Provider = {
        ...provider,
        rerankWindow: (request) =>
          request.documents[0] === "document 10"
            ? provider.rerankWindow(request)
            : Effect.zipRight(Effect.sleep("1 minute"), provider.rerankWindow(request))
      }
      const reranker = yield* Reranker.make(slowOthers, { maxDocumentsPerRequest: 10, concurrency: 4 })
      const error = yield* runAll(reranker.rerank({ query: "q", documents: docs(40) }).pipe(Effect.flip))
      expect(error).toMatchObject({ _tag: "ServiceError", status: 501, attempts: 1 })
      expect(recorder.interrupted).toBe(0) // the others were still in their sleep: interrupted before recording
      expect(recorder.requests.map((r) => r.documents[0])).toEqual(["document 10"])
    })
  )

  it.effect("interrupting the call interrupts every window in flight", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const reranker = yield* Reranker.make(recordingProvider(recorder, { latency: "1 hour" }), {
        maxDocumentsPerRequest: 10,
        concurrency: 4
      })
      const fiber = yield* Effect.fork(reranker.rerank({ query: "q", documents: docs(100) }))
      yield* TestClock.adjust(Duration.seconds(1))
      expect(recorder.inFlight).toBe(4)
      yield* Fiber.interrupt(fiber)
      expect(recorder.interrupted).toBe(4)
      expect(recorder.inFlight).toBe(0)
      expect(recorder.requests.length).toBe(4)
    })
  )

  it.effect(
    "maxWindows: a call needing more windows than the budget fails before any request; cached ones are free",
    () =>
      Effect.gen(function* () {
        const recorder = newRecorder()
        const reranker = yield* Reranker.make(
          { ...recordingProvider(recorder), pointwise: true },
          { maxDocumentsPerRequest: 3, maxWindows: 2, cache: true }
        )
        const error = yield* reranker.rerank({ query: "q", documents: docs(7) }).pipe(Effect.flip)
        expect(error).toMatchObject({ _tag: "PayloadLimitError", limit: 6, actual: 7, unit: "documents", attempts: 0 })
        expect(recorder.requests.length).toBe(0)
        yield* runAll(reranker.rerank({ query: "q", documents: docs(6) }))
        expect(recorder.requests.length).toBe(2)
        // Six of the seven come from the cache: one window is sent, within the budget.
        const seven = yield* runAll(reranker.rerank({ query: "q", documents: docs(7) }))
        expect(seven.results).toHaveLength(7)
        expect(recorder.requests.length).toBe(3)
        const refused = yield* Effect.flip(Reranker.make(recordingProvider(recorder), { maxWindows: 0 }))
        expect(String(refused)).toContain("maxWindows")
      })
  )

  it.effect("with batching off, too many documents is a PayloadLimitError before any request", () =>
    Effect.gen(function* () {
      const recorder = newRecorder()
      const reranker = yield* Reranker.make(recordingProvider(recorder), {
        batching: false,
        maxDocumentsPerRequest: 1000
      })
      const error = yield* reranker.rerank({ query: "q", documents: docs(1001) }).pipe(Effect.flip)
      expect(error).toMatchObject({
        _tag: "PayloadLimitError",
        limit: 1000,
        actual: 1001,
        unit: "documents",
        attempts: 0
      })
      expect(recorder.requests.length).toBe(0)
    })
  )

  it.effect("a provider answering an index outside its window is a ResponseDecodeError", () =>
    Effect.gen(function* () {
      const reranker = yield* Reranker.make(
        {
          specificationVersion: "v2",
          system: "test",
          model: "m",
          rerankWindow: (request) =>
            Effect.succeed({ results: [{ index: request.documents.length, score: 1 }], searchUnits: 1 })
        },
        { maxDocumentsPerRequest: 5 }
      )
      const error = yield* reranker.rerank({ query: "q", documents: docs(12) }).pipe(Effect.flip)
      expect(error._tag).toBe("ResponseDecodeError")
    })
  )

  it.effect("RRF merge interleaves the windows' rankings, ties broken by raw score then input index", () =>
    Effect.gen(function* () {
      // Window A = [a0 a1], window B = [b0 b1]; scores a0 .9, a1 .8, b0 .95, b1 .1.
      const scores: Record<string, number> = { a0: 0.9, a1: 0.8, b0: 0.95, b1: 0.1 }
      const reranker = yield* Reranker.makeTest((_, text) => scores[text], { maxDocumentsPerRequest: 2, merge: "rrf" })
      const result = yield* reranker.rerank({ query: "q", documents: ["a0", "a1", "b0", "b1"] })
      expect(result.results.map((r) => r.document)).toEqual(["b0", "a0", "a1", "b1"])
      expect(result.results.map((r) => r.score)).toEqual([0.95, 0.9, 0.8, 0.1])
    })
  )

  it.effect("RRF merge ranks by place in each window, not by raw score: a weak window's best comes second", () =>
    Effect.gen(function* () {
      const scores: Record<string, number> = { a0: 0.9, a1: 0.8, b0: 0.5, b1: 0.4 }
      const rrf = yield* Reranker.makeTest((_, text) => scores[text], { maxDocumentsPerRequest: 2, merge: "rrf" })
      const byRank = yield* rrf.rerank({ query: "q", documents: ["a0", "a1", "b0", "b1"] })
      expect(byRank.results.map((r) => r.document)).toEqual(["a0", "b0", "a1", "b1"])
      const score = yield* Reranker.makeTest((_, text) => scores[text], { maxDocumentsPerRequest: 2 })
      const byScore = yield* score.rerank({ query: "q", documents: ["a0", "a1", "b0", "b1"] })
      expect(byScore.results.map((r) => r.document)).toEqual(["a0", "a1", "b0", "b1"])
    })
  )
})

describe("Reranker batching, properties", () => {
  const arbitrary = fc.record({
    total: fc.integer({ min: 1, max: 300 }),
    max: fc.integer({ min: 1, max: 60 }),
    topN: fc.option(fc.integer({ min: 1, max: 320 }), { nil: undefined }),
    merge: fc.constantFrom<Batching.Merge>("score", "rrf")
  })

  it.effect.prop("each input index appears at most once, with the caller's own document", [arbitrary], ([c]) =>
    Effect.gen(function* () {
      const documents = docs(c.total).map((text) => ({ text }))
      const reranker = yield* Reranker.makeTest((_, text) => scoreOf(text), {
        maxDocumentsPerRequest: c.max,
        merge: c.merge
      })
      const result = yield* reranker.rerank({ query: "q", documents, toText: (d) => d.text, topN: c.topN })
      expect(result.results.length).toBe(Math.min(c.total, c.topN ?? Infinity))
      expect(new Set(result.results.map((r) => r.index)).size).toBe(result.results.length)
      for (const r of result.results) expect(r.document).toBe(documents[r.index])
    })
  )

  it.effect.prop("with score merge, batched equals one unbatched call", [arbitrary], ([c]) =>
    Effect.gen(function* () {
      const documents = docs(c.total)
      const batched = yield* Reranker.makeTest((_, text) => scoreOf(text), { maxDocumentsPerRequest: c.max })
      const unbatched = yield* Reranker.makeTest((_, text) => scoreOf(text), { maxDocumentsPerRequest: 1000 })
      const a = yield* batched.rerank({ query: "q", documents, topN: c.topN })
      const b = yield* unbatched.rerank({ query: "q", documents, topN: c.topN })
      expect(a.results).toEqual(b.results)
    })
  )

  it.effect.prop("RRF with topN pushed down gives the same answer as without it", [arbitrary], ([c]) =>
    Effect.gen(function* () {
      const documents = docs(c.total)
      const reranker = yield* Reranker.makeTest((_, text) => scoreOf(text), {
        maxDocumentsPerRequest: c.max,
        merge: "rrf"
      })
      const all = yield* reranker.rerank({ query: "q", documents })
      const top = yield* reranker.rerank({ query: "q", documents, topN: c.topN })
      expect(top.results).toEqual(all.results.slice(0, c.topN ?? Infinity))
    })
  )
})

describe("Reranker.Progress", () => {
  it.effect("reports each finished window when provided", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const reranker = yield* Reranker.makeTest((_, text) => scoreOf(text), {
        maxDocumentsPerRequest: 10,
        concurrency: 1
      })
      yield* reranker.rerank({ query: "q", documents: docs(35) }).pipe(
        Effect.provideService(Reranker.Progress, {
          onWindow: (completed, total) => Effect.sync(() => seen.push(`${completed}/${total}`))
        })
      )
      expect(seen).toEqual(["1/4", "2/4", "3/4", "4/4"])
    })
  )
})
