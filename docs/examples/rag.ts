/**
 * docs/rag.md's examples: long documents chunked, structured documents by their fields, an instruction, and what a
 * call was billed and cost. Every block of the page is here, type-checked; rag.test.ts runs them.
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere, Voyage } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { Effect, Redacted } from "effect"

// 1. Long documents: chunks of 64 words overlapping by 32, each document ranked by its best chunk.
export const longDocuments = LocalReranker.layer({ chunk: { size: 64, overlap: 32 } })

export const findPassage = (query: string, reports: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const { results } = yield* Reranker.rerank({ query, documents: reports, topN: 3 })
    // The chunk that decided each result, for highlighting.
    return results.map((r) => ({ report: r.index, passage: reports[r.index].slice(r.chunk!.start, r.chunk!.end) }))
  })

// 2. Structured documents: the fields the model reads (a weight for the local reranker's title boost).
interface Product {
  readonly sku: string
  readonly title: string
  readonly specs: { readonly material: string; readonly color: string }
}

export const findProducts = (query: string, products: ReadonlyArray<Product>) =>
  Reranker.rerank({
    query,
    documents: products,
    fields: [{ path: "title", weight: 2 }, "specs.material", "specs.color"],
    topN: 5
  }).pipe(Effect.map(({ results }) => results.map((r) => r.document.sku)))

// 3. An instruction: Voyage's rerank-2.5 reads it ahead of the query; a model that documents none refuses it.
export const steered = Voyage.layer({ apiKey: Redacted.make("pa-..."), model: "rerank-2.5" })

export const recentFirst = (query: string, documents: ReadonlyArray<string>) =>
  Reranker.rerank({ query, documents, instruction: "Prefer documents from the last two years." })

// 4. Usage and cost: what the call was billed, in the provider's unit, and its cost at your price.
export const priced = Cohere.layer({
  apiKey: Redacted.make("co-..."),
  prices: { "rerank-v3.5": { unit: "searchUnits", usd: 2, per: 1000 } }
})

export const withCost = (query: string, documents: ReadonlyArray<string>) =>
  Reranker.rerank({ query, documents }).pipe(
    Effect.map(({ usage }) => `${usage.billed?.quantity} ${usage.billed?.unit}: $${usage.cost?.toFixed(4)}`)
  )
