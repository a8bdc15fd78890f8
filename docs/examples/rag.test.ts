/**
 * docs/rag.md's examples do what the page says, offline: the local reranker for chunks and fields, scripted
 * responses for Voyage's instruction and Cohere's billing.
 */
import { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { findPassage, findProducts, longDocuments, priced, recentFirst, steered, withCost } from "./rag.js"

const scripted = (answer: (body: any) => unknown) => {
  const bodies: Array<any> = []
  const client = HttpClient.make((request) => {
    const raw =
      request.body._tag === "Raw"
        ? String(request.body.body)
        : request.body._tag === "Uint8Array"
          ? new TextDecoder().decode(request.body.body)
          : "{}"
    const body = JSON.parse(raw)
    bodies.push(body)
    return Effect.succeed(
      HttpClientResponse.fromWeb(
        request,
        new Response(JSON.stringify(answer(body)), { headers: { "content-type": "application/json" } })
      )
    )
  })
  return { bodies, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ")

describe("docs/examples/rag.ts", () => {
  it.effect("long documents: the report whose middle answers is found, and the passage shown", () =>
    Effect.gen(function* () {
      const reports = [filler(300), `${filler(150)} the reactor cooling failed at dawn ${filler(150)}`]
      const found = yield* findPassage("reactor cooling failure", reports).pipe(Effect.provide(longDocuments))
      expect(found[0].report).toBe(1)
      expect(found[0].passage).toContain("reactor cooling failed")
    })
  )

  it.effect("fields: the title weighs twice", () =>
    Effect.gen(function* () {
      const products = [
        { sku: "a", title: "Desk lamp", specs: { material: "oak", color: "black" } },
        { sku: "b", title: "Oak desk", specs: { material: "oak", color: "natural" } }
      ]
      const skus = yield* findProducts("oak desk", products).pipe(Effect.provide(LocalReranker.layer()))
      expect(skus[0]).toBe("b")
    })
  )

  it.effect("an instruction reaches Voyage ahead of the query", () =>
    Effect.gen(function* () {
      const voyage = scripted((body) => ({
        data: body.documents.map((_: string, index: number) => ({ index, relevance_score: 1 - index / 10 }))
      }))
      yield* recentFirst("tax rules", ["a", "b"]).pipe(Effect.provide(steered.pipe(Layer.provide(voyage.layer))))
      expect(voyage.bodies[0].query).toBe("Prefer documents from the last two years.\ntax rules")
    })
  )

  it.effect("usage and cost at the price given", () =>
    Effect.gen(function* () {
      const cohere = scripted((body) => ({
        id: "x",
        results: body.documents.map((_: string, index: number) => ({ index, relevance_score: 0.5 })),
        meta: { billed_units: { search_units: 2 } }
      }))
      const line = yield* withCost("q", ["a", "b"]).pipe(Effect.provide(priced.pipe(Layer.provide(cohere.layer))))
      expect(line).toBe("2 searchUnits: $0.0040")
      const kind = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(
        Effect.map((r) => r.scoreKind),
        Effect.provide(priced.pipe(Layer.provide(cohere.layer)))
      )
      expect(kind).toBe("probability")
    })
  )
})
