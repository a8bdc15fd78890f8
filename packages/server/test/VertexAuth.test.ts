/**
 * Vertex AI end to end on loopback: a service account's key whose `token_uri` is a token endpoint on loopback, and
 * `rerank serve` answering Vertex's protocol under `/vertex`, keyed with the token that endpoint hands out. The full
 * path a user with a real key takes, with Google's two servers replaced by ours.
 */
import { Reranker } from "@effect-rerank/core"
import { Vertex } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { generateKeyPairSync } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { documents, query } from "../../../test-utils/Sample.js"
import * as LocalServer from "./LocalServer.js"

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" }
})

/** A token endpoint on loopback: each JWT-bearer grant answered with `token` (or refused), counted. */
const tokenEndpoint = (token: string | undefined) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly grants: Array<string>; readonly close: () => void }>((resume) => {
      const grants: Array<string> = []
      const server = createServer((request, response) => {
        let body = ""
        request.on("data", (chunk) => (body += chunk))
        request.on("end", () => {
          grants.push(new URLSearchParams(body).get("grant_type") ?? "")
          response.setHeader("content-type", "application/json")
          if (token === undefined) {
            response.statusCode = 401
            response.end(
              JSON.stringify({ error: "invalid_client", error_description: "The OAuth client was not found." })
            )
          } else {
            response.end(JSON.stringify({ access_token: token, expires_in: 3599, token_type: "Bearer" }))
          }
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/token`, grants, close: () => server.close() }))
      })
    }),
    (endpoint) => Effect.sync(endpoint.close)
  )

const client = (tokenUri: string, baseUrl: string) =>
  Vertex.layer({
    credentials: {
      type: "service_account",
      client_email: "ranker@p.iam.gserviceaccount.com",
      private_key: privateKey,
      token_uri: tokenUri
    },
    project: "p",
    baseUrl,
    retry: { maxRetries: 0 }
  }).pipe(Layer.provide(FetchHttpClient.layer), Layer.orDie)

describe("Vertex AI against a loopback token endpoint and rerank serve", () => {
  it.scopedLive("the token the endpoint grants opens the server: the same ranking as the reranker itself", () =>
    Effect.gen(function* () {
      const tokens = yield* tokenEndpoint("ya29.loopback")
      const server = yield* LocalServer.start({ apiKey: Redacted.make("ya29.loopback") })
      const layer = client(tokens.url, `${server}/vertex`)
      const direct = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(LocalReranker.layer()))
      const reranker = yield* Effect.provide(Reranker.Reranker, layer)
      const served = yield* reranker.rerank({ query, documents, topN: 3 })
      yield* reranker.rerank({ query, documents, topN: 3 })
      expect(served.results.map((r) => r.index)).toEqual(direct.results.slice(0, 3).map((r) => r.index))
      // One grant for both calls: the token is cached.
      expect(tokens.grants).toEqual(["urn:ietf:params:oauth:grant-type:jwt-bearer"])
    })
  )

  it.scopedLive("a token the server does not take, and a grant refused, are both AuthenticationErrors", () =>
    Effect.gen(function* () {
      const server = yield* LocalServer.start({ apiKey: Redacted.make("ya29.expected") })
      const wrong = yield* tokenEndpoint("ya29.other")
      const rejected = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(client(wrong.url, `${server}/vertex`)),
        Effect.flip
      )
      expect(rejected._tag).toBe("AuthenticationError")
      expect(rejected.attempts).toBe(1)
      if (rejected._tag === "AuthenticationError") expect(rejected.status).toBe(401)

      const refusing = yield* tokenEndpoint(undefined)
      const refused = yield* Reranker.rerank({ query, documents }).pipe(
        Effect.provide(client(refusing.url, `${server}/vertex`)),
        Effect.flip
      )
      expect(refused._tag).toBe("AuthenticationError")
      if (refused._tag === "AuthenticationError") {
        expect(refused.serverMessage).toBe("invalid_client: The OAuth client was not found.")
        expect(refused.hint).toContain("ranker@p.iam.gserviceaccount.com")
      }
    })
  )
})
