import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"

// Your pipeline: rerank the first stage's passages and keep the best three; when rate limited, fall back to the
// first stage's own order rather than failing the user's request.
const topPassages = (query: string, passages: ReadonlyArray<string>) =>
  Reranker.rerank({ query, documents: passages, topN: 3 }).pipe(
    Effect.map(({ results }) => results.map((r) => r.document)),
    Effect.catchTag("RateLimitError", () => Effect.succeed(passages.slice(0, 3)))
  )

const passages = ["a cat", "the capital is Washington", "capital punishment", "a dog", "capital letters"]

describe("topPassages", () => {
  it.effect("keeps the three passages the reranker scores highest", () =>
    Effect.gen(function* () {
      // One line: a Reranker from a scoring function.
      const TestReranker = Reranker.layerTest((_, text) =>
        text.includes("Washington") ? 1 : text.includes("capital") ? 0.5 : 0
      )
      const top = yield* topPassages("capital of the US", passages).pipe(Effect.provide(TestReranker))
      expect(top).toEqual(["the capital is Washington", "capital punishment", "capital letters"])
    })
  )

  it.effect("falls back to the first stage's order when rate limited", () =>
    Effect.gen(function* () {
      // Test layers retry like every provider; turn retries off to see the failure at once.
      const RateLimited = Reranker.layerTest(
        () => Effect.fail(new RerankError.RateLimitError({ retryAfter: Option.none(), status: 429 })),
        { retry: { maxRetries: 0 } }
      )
      const top = yield* topPassages("capital of the US", passages).pipe(Effect.provide(RateLimited))
      expect(top).toEqual(["a cat", "the capital is Washington", "capital punishment"])
    })
  )
})
