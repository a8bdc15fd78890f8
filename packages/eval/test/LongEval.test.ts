import { Conformance, LocalEval, LongEval, Vaswani } from "@effect-rerank/eval"
import { NodeContext } from "@effect/platform-node"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { describeConformance } from "../../../test-utils/Conformance.js"

describeConformance("long documents on Vaswani", () => {
  it.effect(
    "the seeded rule: the candidate inside, fillers neither judged nor candidates, the same text for the same seed",
    () =>
      Effect.gen(function* () {
        const collection = yield* Vaswani.load(Conformance.dir)
        const long = yield* LongEval.lengthen(collection, 500, 2026)
        const again = yield* LongEval.lengthen(collection, 500, 2026)
        const other = yield* LongEval.lengthen(collection, 500, 7)
        const [queryId, candidates] = Array.from(long)[0]
        expect(candidates).toHaveLength(collection.candidates.get(queryId)!.length)
        expect(again.get(queryId)).toEqual(candidates)
        expect(other.get(queryId)).not.toEqual(candidates)
        const own = new Set(collection.candidates.get(queryId)!.map((c) => c.id))
        const judged = collection.qrels.get(queryId) ?? new Map()
        for (const candidate of candidates) {
          const original = collection.corpus.get(candidate.id)!
          expect(candidate.text.slice(candidate.at, candidate.at + original.length)).toBe(original)
          expect(candidate.text.split(/\s+/).length).toBeGreaterThanOrEqual(500)
          for (const passage of candidate.text.split("\n\n")) {
            if (passage === original) continue
            const id = Array.from(collection.corpus).find(([, text]) => text === passage)?.[0]
            expect(id === undefined || own.has(id) || judged.has(id)).toBe(false)
          }
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it.effect(
    "at 1,000 words chunking keeps most of the short documents' nDCG@10, truncation much less",
    () =>
      Effect.gen(function* () {
        const collection = yield* Vaswani.load(Conformance.dir)
        const corpus = LocalEval.corpusStats(collection.corpus.values())
        const short = yield* LocalEval.run(collection, { corpus })
        const long = yield* LongEval.lengthen(collection, 1000, 2026)
        const chunked = yield* LongEval.run(collection, long, { corpus, chunk: { size: 64, overlap: 32 } })
        const truncated = yield* LongEval.run(collection, long, { corpus }, (text) => LongEval.truncate(text, 64))
        expect(chunked / short).toBeGreaterThan(0.85)
        expect(truncated / short).toBeLessThan(0.6)
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
