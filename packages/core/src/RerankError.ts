/**
 * The typed failures of a rerank call. Every provider (Cohere over HTTP, the local reranker, test layers) fails
 * with exactly these, so callers handle them once with `Effect.catchTags`.
 *
 * Each error says, where known, the HTTP `status`, the server's own message (`serverMessage`, cut to a few hundred
 * characters), the server's request id (`requestId`) and how many `attempts` were made. None ever holds the API key
 * or a document text.
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * Marks every rerank error, so `isRerankError` needs no list of tags.
 *
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-rerank/core/RerankError")

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

const common = {
  /** HTTP status of the response that caused the failure; absent when no response was involved. */
  status: Schema.optional(Schema.Number),
  /** The server's own explanation (JSON `message` or plain-text body), cut to a few hundred characters. */
  serverMessage: Schema.optional(Schema.String),
  /** The server's request id (from the error body or a trace header), for support tickets. */
  requestId: Schema.optional(Schema.String),
  /**
   * Attempts made before giving up: 0 when the call failed before any request. The core sets it; a provider
   * building an error leaves it out.
   */
  attempts: Schema.Number.pipe(
    Schema.propertySignature,
    Schema.withConstructorDefault(() => 0)
  ),
  /** Provider-specific advice (which variable holds the key, what the base URL should be), from the provider. */
  hint: Schema.optional(Schema.String)
}

const details = (error: {
  readonly status?: number | undefined
  readonly serverMessage?: string | undefined
  readonly requestId?: string | undefined
  readonly attempts: number
  readonly hint?: string | undefined
}): string => {
  const parts: Array<string> = []
  if (error.status !== undefined) parts.push(`status ${error.status}`)
  if (error.attempts > 1) parts.push(`${error.attempts} attempts`)
  if (error.requestId !== undefined) parts.push(`request id ${error.requestId}`)
  const hint = error.hint === undefined ? "" : ` ${error.hint}`
  const server = error.serverMessage === undefined ? "" : ` Server said: "${error.serverMessage}".`
  return hint + (parts.length > 0 ? ` (${parts.join(", ")})` : "") + server
}

/**
 * What every error's `withAttempts` copies: its own fields, the attempts made, and the provider's advice unless it
 * already has its own.
 */
const stamped = <E extends { readonly hint?: string | undefined }>(
  error: E,
  attempts: number,
  hint: string | undefined
) => ({
  ...error,
  attempts,
  hint: error.hint ?? hint
})

/**
 * 401 (`"invalid-key"`), 403 (`"forbidden"`) or 402 (`"billing"`). Never retried.
 *
 * @since 0.2.0
 * @category errors
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>()("AuthenticationError", {
  reason: Schema.Literal("invalid-key", "forbidden", "billing"),
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): AuthenticationError {
    return new AuthenticationError(stamped(this, attempts, hint))
  }

  override get message(): string {
    const advice = {
      "invalid-key": "The API key was rejected: check the key and the base URL it belongs to.",
      forbidden: "The API key may not use this model or endpoint: check the model name and the key's permissions.",
      billing: "The account behind the API key has a billing problem: add a payment method or use another key."
    }[this.reason]
    return advice + details(this)
  }
}

/**
 * 429. `retryAfter` is what the server asked for (`Retry-After` in seconds or as an HTTP date, or
 * `X-RateLimit-Reset`), so a caller can reschedule. Retried by default, unless the server asks for longer than the
 * retry policy's cap.
 *
 * @since 0.2.0
 * @category errors
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>()("RateLimitError", {
  retryAfter: Schema.OptionFromNullOr(Schema.DurationFromMillis),
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): RateLimitError {
    return new RateLimitError(stamped(this, attempts, hint))
  }

  override get message(): string {
    const wait = Option.match(this.retryAfter, {
      onNone: () => "wait before retrying",
      onSome: (d) => `retry after ${Duration.format(d)}`
    })
    return `Rate limited by the reranking service: ${wait}, or lower concurrency.` + details(this)
  }
}

/**
 * An attempt (`scope: "attempt"`, retried) or the whole call (`scope: "total"`, not retried) ran past its limit.
 *
 * @since 0.2.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  timeout: Schema.DurationFromMillis,
  scope: Schema.Literal("attempt", "total"),
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): TimeoutError {
    return new TimeoutError(stamped(this, attempts, hint))
  }

  override get message(): string {
    const what = this.scope === "attempt" ? "A rerank request" : "The rerank call, retries included,"
    return (
      `${what} did not finish within ${Duration.format(this.timeout)}: raise the timeout or send fewer documents.` +
      details(this)
    )
  }
}

/**
 * Over a request limit: documents in one request when batching is off (`unit: "documents"`), a request body over
 * the size cap (`"bytes"`), or Cohere's documents x chunks limit (`"chunks"`). Never retried: the same request
 * would fail again.
 *
 * @since 0.2.0
 * @category errors
 */
export class PayloadLimitError extends Schema.TaggedError<PayloadLimitError>()("PayloadLimitError", {
  limit: Schema.Number,
  actual: Schema.Number,
  unit: Schema.Literal("documents", "bytes", "chunks"),
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): PayloadLimitError {
    return new PayloadLimitError(stamped(this, attempts, hint))
  }

  override get message(): string {
    const advice = {
      documents: "enable batching or send fewer documents per call",
      bytes: "send shorter or fewer documents per request (lower maxDocumentsPerRequest)",
      chunks: "send fewer documents per request or split long documents into fewer chunks"
    }[this.unit]
    return (
      `Request over the limit: ${this.actual} ${this.unit} where at most ${this.limit} are allowed; ${advice}.` +
      details(this)
    )
  }
}

/**
 * The request is wrong and retrying will not help: client-side validation (`field` names the culprit, e.g.
 * `"query"` or `"documents[3]"`), or a 400, 404 (unknown model, wrong base URL), 422 or 498 from the server.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>()("InvalidRequestError", {
  field: Schema.optional(Schema.String),
  reason: Schema.String,
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): InvalidRequestError {
    return new InvalidRequestError(stamped(this, attempts, hint))
  }

  override get message(): string {
    const subject = this.field === undefined ? "Invalid rerank request" : `Invalid rerank request: ${this.field}`
    return `${subject}: ${this.reason}.` + details(this)
  }
}

/**
 * The service failed: 500, 502, 503 and 504 are retried; 499 (request cancelled), 501 and other 5xx are not.
 *
 * @since 0.2.0
 * @category errors
 */
export class ServiceError extends Schema.TaggedError<ServiceError>()("ServiceError", {
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): ServiceError {
    return new ServiceError(stamped(this, attempts, hint))
  }

  override get message(): string {
    return `The reranking service failed; try again later or check its status page.` + details(this)
  }
}

/**
 * No HTTP response at all: connection refused or reset, DNS, TLS. Retried.
 *
 * @since 0.2.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.String,
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): TransportError {
    return new TransportError(stamped(this, attempts, hint))
  }

  override get message(): string {
    return `Could not reach the reranking service (${this.reason}): check the base URL and the network.` + details(this)
  }
}

/**
 * A 2xx response that is not a rerank response: not JSON, the wrong shape, an index out of range or repeated, a
 * score that is not a number. Never retried.
 *
 * @since 0.2.0
 * @category errors
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()("ResponseDecodeError", {
  reason: Schema.String,
  ...common
}) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  /** @since 0.2.0 */
  withAttempts(attempts: number, hint?: string): ResponseDecodeError {
    return new ResponseDecodeError(stamped(this, attempts, hint))
  }

  override get message(): string {
    return (
      `The reranking service answered with something that is not a valid rerank response: ${this.reason}. ` +
      `Check that the base URL points at a rerank endpoint that speaks this provider's protocol.` +
      details(this)
    )
  }
}

/**
 * Every way a rerank call can fail.
 *
 * @since 0.2.0
 * @category models
 */
export type RerankError =
  | AuthenticationError
  | RateLimitError
  | TimeoutError
  | PayloadLimitError
  | InvalidRequestError
  | ServiceError
  | TransportError
  | ResponseDecodeError

/**
 * The schema of the union, e.g. to send errors over the wire or log them structurally.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RerankError: Schema.Union<
  [
    typeof AuthenticationError,
    typeof RateLimitError,
    typeof TimeoutError,
    typeof PayloadLimitError,
    typeof InvalidRequestError,
    typeof ServiceError,
    typeof TransportError,
    typeof ResponseDecodeError
  ]
> = Schema.Union(
  AuthenticationError,
  RateLimitError,
  TimeoutError,
  PayloadLimitError,
  InvalidRequestError,
  ServiceError,
  TransportError,
  ResponseDecodeError
)

/**
 * Whether a value is one of the rerank errors; safe on any value, `null` included.
 *
 * @since 0.2.0
 * @category guards
 */
export const isRerankError = (u: unknown): u is RerankError => Predicate.hasProperty(u, TypeId)

/** Statuses of `ServiceError` that are usually transient. */
const transientStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504])

/**
 * The default retry predicate: rate limits, attempt timeouts, transport failures and 500/502/503/504.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isRetryable = (error: RerankError): boolean => {
  switch (error._tag) {
    case "RateLimitError":
    case "TransportError":
      return true
    case "TimeoutError":
      return error.scope === "attempt"
    case "ServiceError":
      return error.status !== undefined && transientStatuses.has(error.status)
    default:
      return false
  }
}
