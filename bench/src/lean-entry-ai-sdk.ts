// The AI SDK's equivalent of lean-entry.ts: one rerank call to Cohere, for the bundle-size comparison.
import { createCohere } from "@ai-sdk/cohere"
import { rerank } from "ai"

const cohere = createCohere({ apiKey: "key" })

rerank({ model: cohere.reranking("rerank-v3.5"), query: "q", documents: ["a", "b"] }).then(
  (result) => console.log(result.ranking.length),
  (error) => console.error(String(error))
)
