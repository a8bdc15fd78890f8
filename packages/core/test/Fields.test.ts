import { Reranker, type RerankRequest } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const products = [
  { id: 1, title: "Red apple", meta: { brand: "Orchard" }, body: "crisp fruit" },
  { id: 2, title: "Pear", meta: { brand: "Apple Farms" }, body: "soft fruit" },
  { id: 3, title: "Banana", body: "yellow fruit" }
]

/** Records every window it is sent; `native` asks for records. */
const recording = (native: boolean) => {
  const sent: Array<Reranker.WindowRequest> = []
  const provider: Reranker.Provider = {
    specificationVersion: "v2",
    system: "fields",
    model: "f-1",
    pointwise: true,
    ...(native ? { fields: { native: true } } : {}),
    rerankWindow: (request) =>
      Effect.sync(() => {
        sent.push(request)
        return { results: request.documents.map((text, index) => ({ index, score: text.length })) }
      })
  }
  return { provider, sent }
}

describe("fields of object documents", () => {
  it.effect(
    "name: value lines by default, dotted paths, absent fields left out; results are the caller's objects",
    () =>
      Effect.gen(function* () {
        const { provider, sent } = recording(false)
        const reranker = yield* Reranker.make(provider)
        const result = yield* reranker.rerank({ query: "apple", documents: products, fields: ["title", "meta.brand"] })
        expect(sent[0].documents).toEqual([
          "title: Red apple\nmeta.brand: Orchard",
          "title: Pear\nmeta.brand: Apple Farms",
          "title: Banana"
        ])
        expect(sent[0].records).toBeUndefined()
        for (const r of result.results) expect(r.document).toBe(products[r.index])
      })
  )

  it.effect("a provider with native rank fields gets flat records beside the texts, sliced with its windows", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording(true)
      const reranker = yield* Reranker.make(provider, { maxDocumentsPerRequest: 2 })
      yield* reranker.rerank({ query: "apple", documents: products, fields: ["title", "meta.brand"] })
      expect(sent.map((w) => w.records)).toEqual([
        [
          { title: "Red apple", "meta.brand": "Orchard" },
          { title: "Pear", "meta.brand": "Apple Farms" }
        ],
        [{ title: "Banana" }]
      ])
    })
  )

  it.effect("refused by field: not objects, none of the fields, toText as well, a bad weight", () =>
    Effect.gen(function* () {
      const { provider, sent } = recording(false)
      const reranker = yield* Reranker.make(provider)
      const refused = <A>(request: RerankRequest.RerankRequest<A>) => Effect.flip(reranker.rerank(request))
      const refusals = [
        yield* refused({ query: "q", documents: ["text"], fields: ["title"] }),
        yield* refused({ query: "q", documents: [{ other: 1 }], fields: ["title"] }),
        yield* refused({ query: "q", documents: products, fields: ["title"], toText: (p) => p.title }),
        yield* refused({ query: "q", documents: products, fields: [{ path: "title", weight: 0 }] }),
        yield* refused({ query: "q", documents: products, fields: ["title", "title"] })
      ]
      expect(refusals.map((e) => [e._tag, (e as { field?: string }).field])).toEqual([
        ["InvalidRequestError", "documents[0]"],
        ["InvalidRequestError", "documents[0]"],
        ["InvalidRequestError", "fields"],
        ["InvalidRequestError", "fields[0].weight"],
        ["InvalidRequestError", "fields[1]"]
      ])
      expect(refusals[1].message).toContain("has none of the fields title")
      expect(sent).toHaveLength(0)
    })
  )
})
