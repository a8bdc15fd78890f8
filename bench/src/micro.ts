import { Reranker, RerankRequest } from "@effect-rerank/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Workload from "./workload.js"

const time = async (label: string, n: number, f: () => unknown) => {
  for (let i = 0; i < 200; i++) await f()
  const start = performance.now()
  for (let i = 0; i < n; i++) await f()
  console.log(label.padEnd(40), (((performance.now() - start) / n) * 1000).toFixed(1), "us")
}
const canned = JSON.parse(Workload.cannedResponse().toString()).results.map((r: any) => ({
  index: r.index,
  score: r.relevance_score
}))
const ten = canned.filter((r: any) => r.index < 10)
const provider: Reranker.Provider = {
  system: "x",
  model: "m",
  rerankWindow: (r) => Effect.succeed({ results: r.documents.length === 10 ? ten : canned })
}
const runtime = ManagedRuntime.make(Layer.orDie(Reranker.layer(provider)))
const docs10 = Workload.documents.slice(0, 10)
await time("core call, 1000 docs", 3000, () =>
  runtime.runPromise(Reranker.rerank({ query: "q", documents: Workload.documents }))
)
await time("core call, 10 docs", 3000, () => runtime.runPromise(Reranker.rerank({ query: "q", documents: docs10 })))
await time("validate 1000", 3000, () => RerankRequest.validate({ query: "q", documents: Workload.documents }))
await time("runPromise(void)", 3000, () => runtime.runPromise(Effect.void))
await time("runPromise(timeoutFail(void))", 3000, () =>
  runtime.runPromise(Effect.timeoutFail(Effect.void, { duration: 60000, onTimeout: () => 1 }))
)
await time("runPromise(withSpan(void))", 3000, () =>
  runtime.runPromise(Effect.withSpan(Effect.void, "x", { captureStackTrace: false }))
)
