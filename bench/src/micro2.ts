import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpBody from "@effect/platform/HttpBody"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Workload from "./workload.js"

const time = async (label: string, n: number, f: () => unknown) => {
  for (let i = 0; i < 300; i++) await f()
  const start = performance.now()
  for (let i = 0; i < n; i++) await f()
  console.log(label.padEnd(40), (((performance.now() - start) / n) * 1000).toFixed(1), "us")
}
const text = Workload.cannedResponse().toString()
const fakeFetch = async (_url: any, _init: any) =>
  new Response(text, { headers: { "content-type": "application/json" } })
const runtime = ManagedRuntime.make(
  FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fakeFetch as any)))
)
const request = HttpClientRequest.post("http://127.0.0.1:1/v2/rerank").pipe(
  HttpClientRequest.bearerToken("k"),
  HttpClientRequest.acceptJson
)
const body = "x".repeat(1000)
await time("fake fetch + text", 5000, async () => (await fakeFetch(1, 2)).text())
await time("execute + text", 5000, () =>
  runtime.runPromise(
    Effect.flatMap(HttpClient.HttpClient, (c) =>
      Effect.flatMap(c.execute(HttpClientRequest.setBody(request, HttpBody.raw(body))), (r) => r.text)
    )
  )
)
await time("execute + text, tracer off", 5000, () =>
  runtime.runPromise(
    Effect.flatMap(HttpClient.HttpClient, (c) =>
      Effect.flatMap(c.execute(HttpClientRequest.setBody(request, HttpBody.raw(body))), (r) => r.text)
    ).pipe(Effect.withTracerEnabled(false))
  )
)
