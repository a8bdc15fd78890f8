/**
 * The one place a non-2xx rerank response becomes a `RerankError` (DESIGN section 5), for every provider. A provider
 * says how to read its error body (message and id) and may read a status its own way first (Cohere's chunk limit);
 * the table itself is shared. Whatever the server sends back is cut short, scrubbed of the key and of control
 * characters before it reaches an error.
 */
import { RerankError } from "@effect-rerank/core"
import * as Headers from "@effect/platform/Headers"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { Reply } from "./transport.js"

const maxMessageLength = 300

/**
 * Removes what a server must never get to echo into an error: each credential the provider holds, in any letter case
 * and URL-encoded too, and what a SigV4 `Authorization` header carries (the credential scope with its access key id,
 * the signature), and any AWS access key id. Built once per provider.
 */
export const scrubber = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.length === 0) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
  }
  const escaped = [...forms]
    // Longest first: a secret containing another is removed whole.
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
  const known = escaped.length === 0 ? undefined : new RegExp(escaped.join("|"), "gi")
  return (text) => {
    const scrubbed = known === undefined ? text : text.replace(known, "[redacted]")
    return scrubbed
      .replace(/\b(Credential|Signature)=[^,\s"']+/gi, "$1=[redacted]")
      .replace(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, "[redacted]")
  }
}

/**
 * Cuts and scrubs text that came from the server: never a credential, never a control character, never an invisible
 * format character (Unicode Cf: bidi controls, zero-width spaces), which could reorder or hide what a terminal shows.
 * Format characters go first, so a secret split by them is still found.
 */
export const serverText = (text: string | undefined, scrub: (text: string) => string): string | undefined => {
  if (text === undefined) return undefined
  const scrubbed = scrub(text.replace(/\p{Cf}/gu, ""))
  const trimmed = scrubbed.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, " ").trim()
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

const days = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
const longDays = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
const months = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
const time = "\\d{2}:\\d{2}:\\d{2}"
// RFC 9110 section 5.6.7: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must accept.
const imfFixdate = new RegExp(`^${days}, \\d{2} ${months} \\d{4} ${time} GMT$`)
const rfc850 = new RegExp(`^${longDays}, \\d{2}-${months}-\\d{2} ${time} GMT$`)
const asctime = new RegExp(`^${days} ${months} ( \\d|\\d{2}) ${time} \\d{4}$`)

const httpDate = (value: string): number | undefined => {
  if (imfFixdate.test(value) || rfc850.test(value)) return Date.parse(value)
  if (asctime.test(value)) return Date.parse(`${value} GMT`)
  return undefined
}

const fromSeconds = (seconds: number) => Duration.millis(Math.max(0, Math.round(seconds * 1000)))

/**
 * `Retry-After` as RFC 9110 defines it (delta-seconds or an HTTP-date); else `X-RateLimit-Reset` as delta-seconds,
 * epoch seconds (values past 10^9) or an HTTP-date. Anything else (`+5`, `-1`, `in 5`) is ignored, leaving the
 * computed backoff.
 */
export const retryAfter = (headers: Headers.Headers, now: number): Option.Option<Duration.Duration> => {
  const parse = (name: string, epochSeconds: boolean): Option.Option<Duration.Duration> =>
    Option.flatMap(Headers.get(headers, name), (raw) => {
      const value = raw.trim()
      if (/^\d+$/.test(value)) {
        const n = Number(value)
        return Option.some(epochSeconds && n > 1e9 ? fromSeconds(n - now / 1000) : fromSeconds(n))
      }
      const date = httpDate(value)
      return date === undefined || Number.isNaN(date) ? Option.none() : Option.some(fromSeconds((date - now) / 1000))
    })
  return Option.orElse(parse("retry-after", false), () => parse("x-ratelimit-reset", true))
}

/** The fields every error from a response carries. */
export interface Fields {
  readonly status: number
  readonly serverMessage: string | undefined
  readonly requestId: string | undefined
}

/** What a provider's error body (or its headers) says. */
export interface ErrorBody {
  readonly message?: string | undefined
  readonly id?: string | undefined
  /** The provider's own error code, for its `special` rules (Bedrock's exception name). */
  readonly code?: string | undefined
}

/** How one provider's error responses read. */
export interface Protocol {
  /** The server's message, request id and error code: from a parsed JSON error body (`undefined` when the body is not JSON), or the headers. */
  readonly errorBody: (json: unknown, headers: Headers.Headers) => ErrorBody
  /** A header holding a request id when the body has none. */
  readonly requestIdHeader?: string | undefined
  /** The provider's own reading of a response, before the shared table (e.g. Cohere's chunk limit on a 400). */
  readonly special?: ((fields: Fields, context: Context) => RerankError.RerankError | undefined) | undefined
}

export interface Context {
  readonly reply: Reply
  /** Now, in epoch milliseconds, for HTTP-date `Retry-After` values. */
  readonly now: number
  /** Removes the credentials from anything the server echoes back (`scrubber`). */
  readonly scrub: (text: string) => string
  /** The request body's size in bytes, counted only when a 413 reports bytes (never for a 429 or a 5xx). */
  readonly requestBytes: () => number
  readonly maxRequestBytes: number
  /** Documents in the failed request, and the chunks they count for, should a 413 name those units. */
  readonly documents: number
  readonly chunks: number
  /** The provider's error code, scrubbed, when its body or headers name one. */
  readonly code?: string | undefined
}

export const fromReply = (protocol: Protocol, context: Context): RerankError.RerankError => {
  const { headers, response, text } = context.reply
  const json = parseJson(text)
  const body = protocol.errorBody(json, headers)
  const headerId =
    protocol.requestIdHeader === undefined
      ? undefined
      : Option.getOrUndefined(Headers.get(headers, protocol.requestIdHeader))
  const fields: Fields = {
    status: response.status,
    serverMessage: serverText(body.message ?? (json === undefined ? text : undefined), context.scrub),
    requestId: serverText(body.id ?? headerId, context.scrub)
  }
  const special = protocol.special?.(fields, { ...context, code: serverText(body.code, context.scrub) })
  if (special !== undefined) return special
  const { status } = fields
  if (status >= 300 && status < 400) {
    const target = Option.getOrUndefined(Headers.get(headers, "location"))
    let host = "an address it did not name"
    try {
      if (target !== undefined) host = new URL(target, response.request.url).host
    } catch {
      host = "an address that is not a URL"
    }
    return new RerankError.InvalidRequestError({
      ...fields,
      reason: `the server redirected (${status}) to ${serverText(host, context.scrub) ?? "another address"}; redirects are not followed, so the key goes only where it was sent: set the base URL to the final address`
    })
  }
  switch (status) {
    case 401:
      return new RerankError.AuthenticationError({ ...fields, reason: "invalid-key" })
    case 402:
      return new RerankError.AuthenticationError({ ...fields, reason: "billing" })
    case 403:
      return new RerankError.AuthenticationError({ ...fields, reason: "forbidden" })
    case 429:
      return new RerankError.RateLimitError({ ...fields, retryAfter: retryAfter(headers, context.now) })
    case 413: {
      // "limit is 1048576 bytes"; a server may also name documents or chunks as the unit.
      const stated = /(\d+)\s*(bytes|documents|chunks)/i.exec(fields.serverMessage ?? "")
      const unit = stated === null ? "bytes" : (stated[2].toLowerCase() as "bytes" | "documents" | "chunks")
      return new RerankError.PayloadLimitError({
        ...fields,
        limit: stated === null ? context.maxRequestBytes : Number(stated[1]),
        actual: unit === "bytes" ? context.requestBytes() : unit === "documents" ? context.documents : context.chunks,
        unit
      })
    }
    case 400:
      return new RerankError.InvalidRequestError({ ...fields, reason: "the server rejected the request (400)" })
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
