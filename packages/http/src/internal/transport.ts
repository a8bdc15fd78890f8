/**
 * The HTTP transport every provider shares: the endpoint checked once (https unless loopback, a key with no control
 * characters), one request built once with auth, `Accept`, `User-Agent` and the provider's headers, and one attempt
 * that posts a JSON body and hands back the status, headers and body text, or a `TransportError`. What a status
 * means is `responseError.ts`'s; retries and timeouts are the core's.
 */
import { RerankError } from "@effect-rerank/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { version } from "./version.js"

/**
 * Loopback only by the whole host (`127.0.0.1.evil.example` is not loopback), as `URL` spells it: IPv6 in brackets,
 * IPv4 normalised to four decimal parts.
 */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname)

const controlCharacters = /[\u0000-\u001f\u007f]/

const encoder = new TextEncoder()
/** Reused by `utf8Length`: encoding into it allocates nothing (a body of up to 1.4 million characters). */
let scratch = new Uint8Array(64 * 1024)
const scratchLimit = 4 * 1024 * 1024

/**
 * A string's length in UTF-8 bytes: encoded into a reused buffer (every runtime has `TextEncoder.encodeInto`, and it
 * measured faster than Node's own byte count), or, past the buffer's bound, encoded once and dropped.
 */
export const utf8Length = (text: string): number => {
  // At most 3 bytes a UTF-16 code unit.
  const needed = text.length * 3
  if (needed > scratchLimit) return encoder.encode(text).length
  if (scratch.length < needed) scratch = new Uint8Array(Math.min(scratchLimit, Math.max(needed, scratch.length * 2)))
  return encoder.encodeInto(text, scratch).written
}

/**
 * The UTF-8 length of `text` when it is over `limit` bytes, else `undefined`. A UTF-16 code unit is at most 3 bytes,
 * so a text of up to `limit / 3` units is under the limit without counting (a 200 KB request body under the 10 MiB
 * default is never counted on its way out); a longer one is counted, which is also what a refusal reports.
 */
export const overLimit = (text: string, limit: number): number | undefined => {
  if (text.length * 3 <= limit) return undefined
  const bytes = utf8Length(text)
  return bytes > limit ? bytes : undefined
}

/** The chunks of a body as one array, copied once. */
const concat = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1 && chunks[0].length === total) return chunks[0]
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

export const invalid = (option: string, reason: string) => Either.left(ConfigError.InvalidData([option], reason))

export interface EndpointOptions {
  readonly baseUrl: string
  /** The option or variable the key came from, for messages that never show the key itself. */
  readonly apiKeyName: string
  /** Absent for servers that run without a key. */
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly allowInsecureHttp?: boolean | undefined
  readonly tracePropagation?: boolean | undefined
}

export interface CheckedEndpoint {
  /** Origin and path, without a trailing slash. */
  readonly baseUrl: string
  /** The base URL's query (`?api-version=...`), kept after the protocol's path; empty without one. */
  readonly search: string
  readonly propagate: boolean
}

/** The endpoint of a protocol's path under a checked base URL: `https://host/base` + `/v2/rerank` + `?query`. */
export const endpointUrl = (endpoint: CheckedEndpoint, path: string): string =>
  endpoint.baseUrl + path + endpoint.search

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
  // A fragment never reaches a server; a base URL with one was almost certainly pasted by mistake.
  if (url.hash !== "" || options.baseUrl.includes("#")) {
    return invalid("baseUrl", "must not have a fragment (#...): a server never sees it")
  }
  const loopback = isLoopback(url.hostname)
  if (url.protocol === "http:" && !loopback && options.allowInsecureHttp !== true) {
    return invalid(
      "baseUrl",
      `refusing to send the API key in clear to ${url.host}: use https, or set allowInsecureHttp: true`
    )
  }
  const key = options.apiKey === undefined ? undefined : Redacted.value(options.apiKey)
  if (key !== undefined && key.trim() === "") return invalid(options.apiKeyName, "is empty")
  // Never echo the key: a header check downstream would otherwise quote it in an error.
  if (key !== undefined && controlCharacters.test(key)) {
    return invalid(options.apiKeyName, "contains control characters (a stray newline?)")
  }
  const search = url.search
  url.search = ""
  return Either.right({
    baseUrl: url.href.replace(/\/+$/, ""),
    search,
    propagate: options.tracePropagation ?? loopback
  })
}

export interface Endpoint {
  /** The request every attempt starts from: method, URL, auth and headers, built once. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly client: HttpClient.HttpClient
  /** Largest 2xx body read. */
  readonly maxResponseBytes: number
}

export interface ClientOptions {
  readonly url: string
  readonly propagate: boolean
  readonly authorize: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  readonly maxResponseBytes: number
}

export const makeEndpoint = (options: ClientOptions): Effect.Effect<Endpoint, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => ({
    request: HttpClientRequest.post(options.url).pipe(
      options.authorize,
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeaders({ "User-Agent": `effect-rerank/${version}`, ...options.headers })
    ),
    client: client.pipe(HttpClient.withTracerPropagation(options.propagate), options.transformClient ?? identity),
    maxResponseBytes: options.maxResponseBytes
  }))

export const bearer = (apiKey: Redacted.Redacted<string>) => (request: HttpClientRequest.HttpClientRequest) =>
  HttpClientRequest.bearerToken(request, apiKey)

/** What came back: enough to decode a 2xx or map an error. */
export interface Reply {
  readonly response: HttpClientResponse.HttpClientResponse
  /** The response's headers, read once (the platform's fetch response builds them anew on every read). */
  readonly headers: Headers.Headers
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
 * The platform's `http.client` span records every header it is not told to redact. A server may echo anything (the
 * key included) in any header, so every header value is redacted on the span but a few of our own constants and
 * the lengths.
 */
const redactedOnSpans: ReadonlyArray<RegExp> = [/^(?!(accept|user-agent|content-length)$)/]

/** What an error body may hold that is worth reading: the message is cut to a few hundred characters anyway. */
export const maxErrorBodyBytes = 64 * 1024

const overCap = (status: number, cap: number, what: string) =>
  new RerankError.ResponseDecodeError({
    status,
    reason: `the response body is ${what}, over the ${cap}-byte cap (maxResponseBytes); nothing past the cap was read`
  })

const decoder = new TextDecoder()

/**
 * The body as text, never buffered past `cap` bytes: a declared length over the cap fails before reading; a body
 * without one (chunked, or compressed) is counted as it streams and cut off at the cap. Over the cap, a 2xx fails
 * (`ResponseDecodeError`, not retried); an error body is kept up to the cap, which is all its message needs.
 */
const readBody = (
  response: HttpClientResponse.HttpClientResponse,
  headers: Headers.Headers,
  cap: number,
  truncate: boolean
): Effect.Effect<string, RerankError.ResponseDecodeError | HttpClientError.ResponseError> => {
  const declared = headers["content-length"]
  const encoded = headers["content-encoding"] !== undefined
  const length = declared === undefined || !/^\d+$/.test(declared) ? undefined : Number(declared)
  if (length !== undefined && length > cap && !truncate) {
    return Effect.fail(overCap(response.status, cap, `declared as ${length} bytes`))
  }
  // The common case: HTTP framing guarantees no more than the declared length arrives.
  if (length !== undefined && length <= cap && !encoded) return response.text
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let total = 0
    let over = false
    return response.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          const room = cap - total
          if (chunk.length > room) {
            over = true
            if (truncate && room > 0) chunks.push(chunk.subarray(0, room))
            total = cap
            return false
          }
          chunks.push(chunk)
          total += chunk.length
          return true
        })
      ),
      Effect.flatMap(() =>
        over && !truncate
          ? Effect.fail(overCap(response.status, cap, "longer"))
          : Effect.succeed(decoder.decode(concat(chunks, total)))
      )
    )
  })
}

/**
 * One attempt: POST the JSON text, read the reply within its cap. No HTTP response at all is a `TransportError`.
 * The text goes to the platform's client as it is, which encodes it once on the way out and sets its length (every
 * platform client does for a text body). Redirects are never followed, whatever the client: `fetch` is told `redirect: "manual"`, and a 3xx comes
 * back as a reply for the status table.
 */
export const post = (
  endpoint: Endpoint,
  body: string
): Effect.Effect<Reply, RerankError.TransportError | RerankError.ResponseDecodeError> =>
  Effect.flatMap(Effect.serviceOption(FetchHttpClient.RequestInit), (init) =>
    endpoint.client
      .execute(HttpClientRequest.setBody(endpoint.request, HttpBody.raw(body, { contentType: "application/json" })))
      .pipe(
        Effect.flatMap((response) => {
          const ok = response.status >= 200 && response.status < 300
          const headers = response.headers
          const body = readBody(response, headers, ok ? endpoint.maxResponseBytes : maxErrorBodyBytes, !ok)
          // An error's status says what went wrong; a body that cannot be read (none at all, as TEI's 401, or a
          // connection dropped mid-way) only loses the server's message.
          return Effect.map(ok ? body : Effect.orElseSucceed(body, () => ""), (text): Reply => ({
            response,
            headers,
            text
          }))
        }),
        Effect.provideService(FetchHttpClient.RequestInit, { ...Option.getOrUndefined(init), redirect: "manual" }),
        Effect.locally(Headers.currentRedactedNames, redactedOnSpans),
        Effect.catchIf(
          (error): error is HttpClientError.HttpClientError =>
            error._tag === "RequestError" || error._tag === "ResponseError",
          (error) => Effect.fail(transportError(error))
        )
      )
  )
