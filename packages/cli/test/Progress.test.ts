import { Reranker } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
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
  it.effect("draws one bar per finished window on a terminal, ending with a newline", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStream(true)
      yield* rerankInWindows.pipe(Effect.provide(Progress.layer(stream)))
      expect(written).toEqual([
        `\r[${"#".repeat(10)}${".".repeat(20)}] 1/3 windows`,
        `\r[${"#".repeat(20)}${".".repeat(10)}] 2/3 windows`,
        `\r[${"#".repeat(30)}] 3/3 windows`,
        "\n"
      ])
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
