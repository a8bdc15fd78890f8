import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { NodeHttpClient } from "@effect/platform-node"
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

const key = "sk-hostile-5e6f7a8b"
const documents = ["alpha", "beta", "gamma"]

/** A loopback server answering every request with `handler`, for the enclosing scope; its base URL and hits. */
const hostile = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ url: string; hits: Array<string>; close: () => void }>((resume) => {
      const hits: Array<string> = []
      const server = createServer((request, response) => {
        hits.push(`${request.method} ${request.url} ${request.headers.authorization ?? "-"}`)
        request.resume()
        handler(request, response)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            hits,
            close: () => {
              server.closeAllConnections()
              server.close()
            }
          })
        )
      )
    }),
    (server) => Effect.sync(server.close)
  )

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["FetchHttpClient", FetchHttpClient.layer],
  ["NodeHttpClient (node:http)", NodeHttpClient.layer],
  ["NodeHttpClient (undici)", NodeHttpClient.layerUndici]
]

const rerankAgainst = (
  baseUrl: string,
  http: Layer.Layer<HttpClient.HttpClient>,
  options: Partial<Cohere.Options> = {}
) =>
  Reranker.rerank({ query: "q", documents }).pipe(
    Effect.provide(
      Cohere.layer({ apiKey: Redacted.make(key), baseUrl, retry: { maxRetries: 0 }, ...options }).pipe(
        Layer.provide(http)
      )
    ),
    Effect.flip
  )

describe("against hostile servers on loopback, with every HttpClient", () => {
  for (const [name, http] of clients) {
    for (const status of [301, 302, 307, 308]) {
      it.scopedLive(`${name}: a ${status} to another origin is not followed; the key never goes there`, () =>
        Effect.gen(function* () {
          const target = yield* hostile((_, response) => response.writeHead(200).end("{}"))
          const redirecting = yield* hostile((_, response) =>
            response.writeHead(status, { location: `${target.url}/steal` }).end()
          )
          const error = yield* rerankAgainst(redirecting.url, http)
          expect(error).toMatchObject({ _tag: "InvalidRequestError", status, attempts: 1 })
          expect((error as { reason: string }).reason).toContain(new URL(target.url).host)
          expect(target.hits).toEqual([])
          expect(redirecting.hits.length).toBe(1)
        })
      )
    }

    it.scopedLive(`${name}: an endless 200 body is cut off at maxResponseBytes, not read to the timeout`, () =>
      Effect.gen(function* () {
        let written = 0
        const server = yield* hostile((_, response) => {
          response.writeHead(200, { "content-type": "application/json" })
          const chunk = Buffer.alloc(64 * 1024, 32)
          const pump = () => {
            // Bounded, so a broken client cannot make this test run away: 64 MiB at most.
            while (written < 64 * 1024 * 1024 && response.write(chunk)) written += chunk.length
            if (written < 64 * 1024 * 1024) response.once("drain", pump)
            else response.end()
          }
          response.write("[")
          pump()
        })
        const error = yield* rerankAgainst(server.url, http, { maxResponseBytes: 1024 * 1024 })
        expect(error).toMatchObject({ _tag: "ResponseDecodeError", status: 200 })
        expect((error as { reason: string }).reason).toContain("1048576-byte cap")
        expect(written).toBeLessThan(64 * 1024 * 1024)
      })
    )

    it.scopedLive(`${name}: a 200 cut off mid-JSON with clean framing is retried as transient`, () =>
      Effect.gen(function* () {
        let calls = 0
        const server = yield* hostile((_, response) => {
          calls++
          const body =
            calls === 1
              ? '{"results":[{"index":0,"relevance_score":0.9},{"ind'
              : JSON.stringify({ results: documents.map((_, index) => ({ index, relevance_score: 1 - index / 10 })) })
          response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
          response.end(body)
        })
        const result = yield* Reranker.rerank({ query: "q", documents }).pipe(
          Effect.provide(
            Cohere.layer({ apiKey: Redacted.make(key), baseUrl: server.url, retry: { base: "1 millis" } }).pipe(
              Layer.provide(http)
            )
          )
        )
        expect(result.results.map((r) => r.index)).toEqual([0, 1, 2])
        expect(calls).toBe(2)
      })
    )
  }
})
