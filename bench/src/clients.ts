/**
 * The clients `pnpm bench:client` compares, each one function from documents to ranked documents, so every client
 * does the same work a real app does: send the request, parse the answer, map indices back to the documents.
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { NodeHttpClient } from "@effect/platform-node"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"

export const apiKey = "bench-key"
export const model = "rerank-v3.5"

export interface Client {
  /** One rerank call; resolves to the number of ranked documents. */
  readonly call: (query: string, documents: ReadonlyArray<string>) => Promise<number>
  /** A call past the per-request limit: windows of 1,000 at concurrency 4, or `undefined` where not offered. */
  readonly batched?: ((query: string, documents: ReadonlyArray<string>) => Promise<number>) | undefined
  readonly close?: () => Promise<void>
}

/** The floor: `fetch`, `JSON.parse`, and indices mapped to documents; no checks at all. */
const floor = (baseUrl: string): Client => {
  const call = async (query: string, documents: ReadonlyArray<string>) => {
    const response = await fetch(`${baseUrl}/v2/rerank`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ model, query, documents })
    })
    const body = JSON.parse(await response.text()) as {
      results: Array<{ index: number; relevance_score: number }>
    }
    return body.results.map((r) => ({ document: documents[r.index], score: r.relevance_score })).length
  }
  return {
    call,
    // Ten sequential calls of 1,000: what the batched call must beat.
    batched: async (query, documents) => {
      let n = 0
      for (let offset = 0; offset < documents.length; offset += 1000) {
        n += await call(query, documents.slice(offset, offset + 1000))
      }
      return n
    }
  }
}

/** Our Cohere layer in a `ManagedRuntime`, reused across calls as a real app would. */
const effectRerank = (baseUrl: string, http: Layer.Layer<HttpClient.HttpClient>): Client => {
  // Windows of 1,000 at concurrency 4: a 1,000-document call is one request, a 10,000-document call ten.
  const layer = Cohere.layer({
    apiKey: Redacted.make(apiKey),
    baseUrl,
    maxDocumentsPerRequest: 1000,
    concurrency: 4,
    // As against a third-party host: no trace headers (the default sends them to loopback only).
    tracePropagation: false
  })
  const runtime = ManagedRuntime.make(layer.pipe(Layer.provide(http), Layer.orDie))
  const call = (query: string, documents: ReadonlyArray<string>) =>
    runtime.runPromise(Reranker.rerank({ query, documents })).then((result) => result.results.length)
  return { call, batched: call, close: () => runtime.dispose() }
}

/**
 * The floor of any client over the platform's `FetchHttpClient`: the same request through `HttpClient.execute` in a
 * `ManagedRuntime`, the body read with `response.text`, `JSON.parse`, indices mapped; no checks, retries or timeouts.
 * What it costs over the raw floor is the platform's; what ours costs over it is ours. `effect-platform-node` is the
 * same over the platform's `node:http` client (`NodeHttpClient.layer`).
 */
const effectPlatform = (baseUrl: string, http: Layer.Layer<HttpClient.HttpClient>): Client => {
  const runtime = ManagedRuntime.make(http)
  const request = HttpClientRequest.post(`${baseUrl}/v2/rerank`).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bearerToken(apiKey)
  )
  const call = (query: string, documents: ReadonlyArray<string>) =>
    runtime.runPromise(
      Effect.flatMap(HttpClient.HttpClient, (client) =>
        Effect.flatMap(
          client.execute(
            HttpClientRequest.setBody(
              request,
              HttpBody.raw(JSON.stringify({ model, query, documents }), { contentType: "application/json" })
            )
          ),
          (response) =>
            Effect.map(response.text, (text) => {
              const body = JSON.parse(text) as { results: Array<{ index: number; relevance_score: number }> }
              return body.results.map((r) => ({ document: documents[r.index], score: r.relevance_score })).length
            })
        )
      )
    )
  return { call, close: () => runtime.dispose() }
}

const aiSdk = async (baseUrl: string): Promise<Client> => {
  const { rerank } = await import("ai")
  const { createCohere } = await import("@ai-sdk/cohere")
  const cohere = createCohere({ apiKey, baseURL: `${baseUrl}/v2` })
  const rerankingModel = cohere.reranking(model)
  return {
    call: async (query, documents) => {
      const result = await rerank({ model: rerankingModel, query, documents: documents as Array<string> })
      return result.ranking.length
    }
  }
}

const cohereAi = async (baseUrl: string): Promise<Client> => {
  const { CohereClientV2 } = await import("cohere-ai")
  const client = new CohereClientV2({ token: apiKey, environment: baseUrl })
  return {
    call: async (query, documents) => {
      const result = await client.rerank({ model, query, documents: documents as Array<string> })
      return result.results.map((r) => ({ document: documents[r.index], score: r.relevanceScore })).length
    }
  }
}

export const names = [
  "floor",
  "effect-platform",
  "effect-platform-node",
  "effect-fetch",
  "effect-undici",
  "effect-node",
  "ai-sdk",
  "cohere-ai"
] as const

export type Name = (typeof names)[number]

export const make = async (name: Name, baseUrl: string): Promise<Client> => {
  switch (name) {
    case "floor":
      return floor(baseUrl)
    case "effect-platform":
      return effectPlatform(baseUrl, FetchHttpClient.layer)
    case "effect-platform-node":
      return effectPlatform(baseUrl, NodeHttpClient.layer)
    case "effect-fetch":
      return effectRerank(baseUrl, FetchHttpClient.layer)
    case "effect-undici":
      return effectRerank(baseUrl, NodeHttpClient.layerUndici)
    case "effect-node":
      return effectRerank(baseUrl, NodeHttpClient.layer)
    case "ai-sdk":
      return aiSdk(baseUrl)
    case "cohere-ai":
      return cohereAi(baseUrl)
  }
}
