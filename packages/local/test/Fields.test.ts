import { Fields } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"

describe("the local reranker and fields", () => {
  it.effect("the local reranker weighs fields: a title weight of 3 puts the title match first", () =>
    Effect.gen(function* () {
      const reranker = yield* LocalReranker.make()
      const documents = [
        { title: "Fruit", body: "apple apple orchard notes" },
        { title: "Apple", body: "fruit notes from the orchard" }
      ]
      const plain = yield* reranker.rerank({ query: "apple", documents, fields: ["title", "body"] })
      expect(plain.results[0].index).toBe(0)
      const weighted = yield* reranker.rerank({
        query: "apple",
        documents,
        fields: [{ path: "title", weight: 3 }, "body"]
      })
      expect(weighted.results[0].index).toBe(1)
      expect(Either.isRight(Fields.validate([{ path: "title", weight: 3 }]))).toBe(true)
    })
  )
})
