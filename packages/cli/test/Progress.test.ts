import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import * as Progress from "../src/Progress.js"

const fakeStream = (isTTY: boolean) => {
  const written: Array<string> = []
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) } as unknown as NodeJS.WriteStream
  return { stream, written }
}

const rerankInWindows = Effect.flatMap(
  Reranker.makeTest(() => 0.5, { maxDocumentsPerRequest: 2, concurrency: 1 }),
  (reranker) => reranker.rerank({ query: "q", documents: ["a", "b", "c", "d", "e"] })
)

describe("CLI progress bar", () => {
  it.effect("draws one bar per finished window on a terminal, cleared at the end", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStream(true)
      yield* rerankInWindows.pipe(Effect.provide(Progress.layer(stream)))
      expect(written).toEqual([
        `\r[${"#".repeat(10)}${".".repeat(20)}] 1/3 windows`,
        `\r[${"#".repeat(20)}${".".repeat(10)}] 2/3 windows`,
        `\r[${"#".repeat(30)}] 3/3 windows`,
        "\r\u001b[2K"
      ])
    })
  )

  it.effect("says each retry on a terminal: what failed, the wait, the next attempt (the server's Retry-After)", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStream(true)
      let calls = 0
      const flaky = Reranker.makeTest(
        () =>
          ++calls === 1
            ? Effect.fail(new RerankError.RateLimitError({ status: 429, retryAfter: Option.some(Duration.seconds(3)) }))
            : calls === 2
              ? Effect.fail(new RerankError.ServiceError({ status: 503 }))
              : 0.5,
        { retry: { maxRetries: 3, base: "1 second" } }
      )
      const fiber = yield* Effect.flatMap(flaky, (reranker) => reranker.rerank({ query: "q", documents: ["a"] })).pipe(
        Effect.provide(Progress.layer(stream)),
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(written[0]).toBe("\r\u001b[2Krerank: RateLimitError (429), retrying in 3.0 s (attempt 2)\n")
      expect(written[1]).toMatch(/^\r\u001b\[2Krerank: ServiceError \(503\), retrying in [1-2]\.\d s \(attempt 3\)\n$/)
      expect(written).toHaveLength(2)
    })
  )

  it.effect("prints nothing when stderr is piped", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStream(false)
      yield* rerankInWindows.pipe(Effect.provide(Progress.layer(stream)))
      expect(written).toEqual([])
    })
  )
})
