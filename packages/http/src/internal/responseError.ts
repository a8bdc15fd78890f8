/**
 * The one place a non-2xx rerank response becomes a `RerankError` (DESIGN section 5). JSON `{"id","message"}`
 * bodies and plain-text bodies (gateways) are both read; the server's message is cut short and scrubbed of the key.
 */
import { RerankError } from "@effect-rerank/core"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { decodeErrorBody, maxTotalChunks } from "./wire.js"

const maxMessageLength = 300

export interface Context {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
  /** Now, in epoch milliseconds, for HTTP-date `Retry-After` values. */
  readonly now: number
  /** Documents in the failed request and the chunking applied, to explain Cohere's chunk limit. */
  readonly documents: number
  readonly maxChunksPerDoc: number
  readonly bodyBytes: number
  readonly maxRequestBytes: number
  /** Removed from anything the server echoes back. */
  readonly secret: string
}

/** Cuts and scrubs text that came from the server. */
export const serverText = (text: string, secret: string): string | undefined => {
  const scrubbed = secret.length > 0 ? text.split(secret).join("[redacted]") : text
  const trimmed = scrubbed.trim().replace(/\s+/g, " ")
  if (trimmed === "") return undefined
  return trimmed.length > maxMessageLength ? trimmed.slice(0, maxMessageLength - 1) + "…" : trimmed
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const seconds = (value: number) => Duration.millis(Math.max(0, Math.round(value * 1000)))

/**
 * `Retry-After` as delta-seconds or an HTTP date; else `X-RateLimit-Reset` as delta-seconds, epoch seconds (values
 * past 10^9) or an HTTP date.
 */
export const retryAfter = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number
): Option.Option<Duration.Duration> => {
  const parse = (value: string | undefined, epochSeconds: boolean): Option.Option<Duration.Duration> => {
    if (value === undefined || value.trim() === "") return Option.none()
    const trimmed = value.trim()
    if (/^\d+(\.\d+)?$/.test(trimmed)) {
      const n = Number(trimmed)
      return Option.some(epochSeconds && n > 1e9 ? seconds(n - now / 1000) : seconds(n))
    }
    const date = Date.parse(trimmed)
    return Number.isNaN(date) ? Option.none() : Option.some(seconds((date - now) / 1000))
  }
  return Option.orElse(parse(headers["retry-after"], false), () => parse(headers["x-ratelimit-reset"], true))
}

export const fromResponse = (context: Context): RerankError.RerankError => {
  const json = parseJson(context.body)
  const errorBody = Option.getOrUndefined(decodeErrorBody(json))
  const rawMessage = errorBody?.message ?? (json === undefined ? context.body : undefined)
  const fields = {
    status: context.status,
    serverMessage: rawMessage === undefined ? undefined : serverText(rawMessage, context.secret),
    requestId: errorBody?.id ?? context.headers["x-debug-trace-id"],
    attempts: 1
  }
  const { status } = context
  switch (status) {
    case 401:
      return new RerankError.AuthenticationError({ ...fields, reason: "invalid-key" })
    case 402:
      return new RerankError.AuthenticationError({ ...fields, reason: "billing" })
    case 403:
      return new RerankError.AuthenticationError({ ...fields, reason: "forbidden" })
    case 429:
      return new RerankError.RateLimitError({ ...fields, retryAfter: retryAfter(context.headers, context.now) })
    case 413: {
      const stated = /(\d+)\s*bytes/i.exec(fields.serverMessage ?? "")
      return new RerankError.PayloadLimitError({
        ...fields,
        limit: stated === null ? context.maxRequestBytes : Number(stated[1]),
        actual: context.bodyBytes,
        unit: "bytes"
      })
    }
    case 400: {
      if (/max(imum)? chunks/i.test(fields.serverMessage ?? "")) {
        const stated = /less than (\d+)/i.exec(fields.serverMessage ?? "")
        return new RerankError.PayloadLimitError({
          ...fields,
          limit: stated === null ? maxTotalChunks : Number(stated[1]),
          actual: context.documents * context.maxChunksPerDoc,
          unit: "chunks"
        })
      }
      return new RerankError.InvalidRequestError({ ...fields, reason: "the server rejected the request (400)" })
    }
    case 404:
      return new RerankError.InvalidRequestError({
        ...fields,
        reason: "not found (404): check the model name and the base URL"
      })
    case 422:
      return new RerankError.InvalidRequestError({
        ...fields,
        reason: "the server could not process the request (422)"
      })
    case 498:
      return new RerankError.InvalidRequestError({ ...fields, reason: "invalid token (498)" })
  }
  if (status >= 500 || status === 499) return new RerankError.ServiceError(fields)
  return new RerankError.InvalidRequestError({ ...fields, reason: `unexpected status ${status}` })
}
