/**
 * A scripted `HttpClient` for transport tests: each request is recorded (URL, headers, JSON body, clock time) and
 * answered by the next step of a script, so tests can assert the exact wire traffic and attempt counts.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Layer } from "effect"

export interface Recorded {
  readonly url: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: any
  /** TestClock time of the request, in milliseconds. */
  readonly at: number
}

export type Step =
  | {
      readonly status: number
      /** A string, or a `ReadableStream` for bodies without a length. */
      readonly body?: unknown
      readonly headers?: Record<string, string>
    }
  | { readonly transport: string }
  | { readonly hang: true }

/** An answer from a rerank request's documents (and, when it matters, its URL and headers). */
export type Answer = (body: any, call: number, request?: Recorded) => Step

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})

export const text = (status: number, body: string, headers: Record<string, string> = {}): Step => ({
  status,
  body,
  headers: { "content-type": "text/plain", ...headers }
})

/** A 200 Cohere v2 response scoring every document with `score`, sorted best first. */
export const scoredBy =
  (score: (document: string, index: number) => number): Answer =>
  (body) =>
    json(200, {
      id: "req-1",
      results: (body.documents as Array<string>)
        .map((document, index) => ({ index, relevance_score: score(document, index) }))
        .sort((a, b) => b.relevance_score - a.relevance_score)
        .slice(0, body.top_n ?? Infinity),
      meta: { api_version: { version: "2" }, billed_units: { search_units: Math.ceil(body.documents.length / 100) } }
    })

const respond = (request: HttpClientRequest.HttpClientRequest, step: Step) => {
  if ("transport" in step) {
    const cause = Object.assign(new Error(`connect ${step.transport}`), { code: step.transport })
    return Effect.fail(
      new HttpClientError.RequestError({
        request,
        reason: "Transport",
        cause: new TypeError("fetch failed", { cause })
      })
    )
  }
  if ("hang" in step) return Effect.never
  const init: ResponseInit = { status: step.status }
  if (step.headers !== undefined) init.headers = step.headers
  return Effect.succeed(
    HttpClientResponse.fromWeb(
      request,
      new Response(step.body === undefined ? null : (step.body as string | ReadableStream<Uint8Array>), init)
    )
  )
}

/**
 * A client answering the n-th request with `script[n]` (the last step repeats), or with `answer` for every request.
 * `inFlight` / `maxInFlight` track concurrency.
 */
export const make = (script: ReadonlyArray<Step> | Answer) => {
  const calls: Array<Recorded> = []
  const stats = { inFlight: 0, maxInFlight: 0 }
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const raw =
        request.body._tag === "Uint8Array"
          ? new TextDecoder().decode(request.body.body)
          : request.body._tag === "Raw" && typeof request.body.body === "string"
            ? request.body.body
            : undefined
      // JSON, or a form (an OAuth2 token request) as its fields.
      const body =
        raw === undefined
          ? undefined
          : request.body.contentType === "application/x-www-form-urlencoded"
            ? Object.fromEntries(new URLSearchParams(raw))
            : JSON.parse(raw)
      const n = calls.length
      const recorded: Recorded = { url: url.toString(), method: request.method, headers: request.headers, body, at }
      calls.push(recorded)
      const step = typeof script === "function" ? script(body, n, recorded) : script[Math.min(n, script.length - 1)]
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      // Yield so that concurrent windows really overlap before answering.
      yield* Effect.yieldNow()
      return yield* respond(request, step)
    }).pipe(Effect.ensuring(Effect.sync(() => stats.inFlight--)))
  )
  return { calls, stats, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** What building a reranker (or a provider) gives, as a user reads it: its `ConfigError` as text, or "accepted". */
export const refusal = <A, E>(build: Effect.Effect<A, E, HttpClient.HttpClient>): Effect.Effect<string> =>
  Effect.map(Effect.either(Effect.provide(build, make([]).layer)), (built) =>
    built._tag === "Left" ? String(built.left) : "accepted"
  )
