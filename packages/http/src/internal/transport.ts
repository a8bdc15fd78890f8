/**
 * The HTTP transport every provider shares: the endpoint checked once (https unless loopback, a key with no control
 * characters), one request built once with auth, `Accept`, `User-Agent` and the provider's headers, and one attempt
 * that posts a JSON body and hands back the status, headers and body text, or a `TransportError`. What a status
 * means is `responseError.ts`'s; retries and timeouts are the core's.
 */
import { RerankError } from "@effect-rerank/core"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Redacted from "effect/Redacted"
import { version } from "./version.js"

/** Loopback only by the whole host: `127.0.0.1.evil.example` is not loopback. */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname)

const controlCharacters = /[\u0000-\u001f\u007f]/

export const invalid = (option: string, reason: string) => Either.left(ConfigError.InvalidData([option], reason))

export interface EndpointOptions {
  readonly baseUrl: string
  /** The option or variable the key came from, for messages that never show the key itself. */
  readonly apiKeyName: string
  readonly apiKey: Redacted.Redacted<string>
  readonly allowInsecureHttp?: boolean | undefined
  readonly tracePropagation?: boolean | undefined
}

export interface CheckedEndpoint {
  readonly baseUrl: string
  readonly propagate: boolean
}

/** Plain `http://` only to loopback unless the user opts in, so the key never travels in clear by accident. */
export const checkEndpoint = (options: EndpointOptions): Either.Either<CheckedEndpoint, ConfigError.ConfigError> => {
  let url: URL
  try {
    url = new URL(options.baseUrl)
  } catch {
    return invalid("baseUrl", "is not a URL")
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return invalid("baseUrl", `must be an http(s) URL, got ${url.protocol}`)
  }
  const loopback = isLoopback(url.hostname)
  if (url.protocol === "http:" && !loopback && options.allowInsecureHttp !== true) {
    return invalid(
      "baseUrl",
      `refusing to send the API key in clear to ${url.host}: use https, or set allowInsecureHttp: true`
    )
  }
  const key = Redacted.value(options.apiKey)
  if (key.trim() === "") return invalid(options.apiKeyName, "is empty")
  // Never echo the key: a header check downstream would otherwise quote it in an error.
  if (controlCharacters.test(key)) return invalid(options.apiKeyName, "contains control characters (a stray newline?)")
  return Either.right({ baseUrl: url.href.replace(/\/+$/, ""), propagate: options.tracePropagation ?? loopback })
}

export interface Endpoint {
  /** The request every attempt starts from: method, URL, auth and headers, built once. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly client: HttpClient.HttpClient
}

export interface ClientOptions {
  readonly url: string
  readonly propagate: boolean
  readonly authorize: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

export const makeEndpoint = (options: ClientOptions): Effect.Effect<Endpoint, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => ({
    request: HttpClientRequest.post(options.url).pipe(
      options.authorize,
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeaders({ "User-Agent": `effect-rerank/${version}`, ...options.headers })
    ),
    client: client.pipe(HttpClient.withTracerPropagation(options.propagate), options.transformClient ?? identity)
  }))

export const bearer = (apiKey: Redacted.Redacted<string>) => (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.bearerToken(request, apiKey)

/** What came back: enough to decode a 2xx or map an error. */
export interface Reply {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly text: string
}

const transportError = (error: HttpClientError.HttpClientError): RerankError.TransportError => {
  // Node's fetch hides the system error (ECONNREFUSED, ECONNRESET, ENOTFOUND) one or two causes down.
  const causes: Array<string> = []
  let cause: unknown = error.cause
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    const code = (cause as { code?: unknown }).code
    causes.push(typeof code === "string" ? code : cause.message)
    cause = cause.cause
  }
  const what = error._tag === "RequestError" ? error.reason : "reading the response body failed"
  return new RerankError.TransportError({ reason: [what, ...causes].filter((part) => part !== "").join(": ") })
}

/**
 * One attempt: POST the JSON text, read the whole reply. No HTTP response at all is a `TransportError`. The text
 * goes to the platform's client as it is, which encodes it once on the way out; `bytes` is its counted length.
 */
export const post = (
  endpoint: Endpoint,
  body: string,
  bytes: number
): Effect.Effect<Reply, RerankError.TransportError> =>
  endpoint.client
    .execute(
      HttpClientRequest.setBody(
        endpoint.request,
        HttpBody.raw(body, { contentType: "application/json", contentLength: bytes })
      )
    )
    .pipe(
      Effect.flatMap((response) => Effect.map(response.text, (text): Reply => ({ response, text }))),
      Effect.mapError(transportError)
    )
