import { fork } from "node:child_process"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpBody from "@effect/platform/HttpBody"
import { Effect, ManagedRuntime } from "effect"
import * as Workload from "./workload.js"

if (process.argv[2] === "server") {
  const canned = Workload.cannedResponse()
  const server = createServer((request, response) => {
    request.on("data", () => {})
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json", "content-length": canned.length })
      response.end(canned)
    })
  })
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port))
} else {
  const child = fork(new URL(import.meta.url).pathname, ["server"], { execArgv: ["--import", "tsx"] })
  const port = await new Promise<number>((r) => child.once("message", (m) => r(m as number)))
  const url = `http://127.0.0.1:${port}/v2/rerank`
  const body = () => JSON.stringify({ model: "m", query: "q", documents: Workload.documents })
  const runtime = ManagedRuntime.make(FetchHttpClient.layer)
  const request = HttpClientRequest.post(url).pipe(HttpClientRequest.bearerToken("k"), HttpClientRequest.acceptJson)
  const variants: Record<string, () => Promise<unknown>> = {
    raw: async () => {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: body() })
      return JSON.parse(await r.text())
    },
    platform: () =>
      runtime.runPromise(
        Effect.flatMap(HttpClient.HttpClient, (c) =>
          Effect.flatMap(
            c.execute(HttpClientRequest.setBody(request, HttpBody.raw(body(), { contentType: "application/json" }))),
            (r) => Effect.map(r.text, JSON.parse)
          )
        )
      ),
    "platform, no tracer": () =>
      runtime.runPromise(
        Effect.flatMap(HttpClient.HttpClient, (c) =>
          Effect.flatMap(
            c.execute(HttpClientRequest.setBody(request, HttpBody.raw(body(), { contentType: "application/json" }))),
            (r) => Effect.map(r.text, JSON.parse)
          )
        ).pipe(Effect.withTracerEnabled(false))
      ),
    "platform, arrayBuffer": () =>
      runtime.runPromise(
        Effect.flatMap(HttpClient.HttpClient, (c) =>
          Effect.flatMap(
            c.execute(HttpClientRequest.setBody(request, HttpBody.raw(body(), { contentType: "application/json" }))),
            (r) => Effect.map(r.arrayBuffer, (b) => JSON.parse(Buffer.from(b).toString()))
          )
        )
      )
  }
  for (let round = 0; round < 2; round++) {
    for (const [name, f] of Object.entries(variants)) {
      for (let i = 0; i < 30; i++) await f()
      const cpu = process.cpuUsage()
      for (let i = 0; i < 500; i++) await f()
      const used = process.cpuUsage(cpu)
      console.log(name.padEnd(24), "cpu ms/call", ((used.user + used.system) / 1000 / 500).toFixed(2))
    }
  }
  child.kill()
}
