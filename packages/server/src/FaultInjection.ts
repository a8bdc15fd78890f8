/**
 * Seeded, rule-based fault injection for the Cohere-compatible server, so clients (ours and yours) can rehearse
 * failure: rate limits with `Retry-After`, 5xx answers, slow answers, reset connections and truncated bodies.
 *
 * A rule fires on every Nth request it sees (`every`), or with a probability (`probability`, drawn from a PRNG
 * seeded by `seed`, so a run is reproducible). Every rule counts and draws on every request, so adding or changing
 * one rule never shifts another's sequence; when several fire, the first in order decides the request's fault.
 *
 * @since 0.2.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/**
 * @since 0.2.0
 * @category models
 */
export type Fault =
  /** Answer this status with a Cohere-shaped body; `retryAfter` (seconds) is sent as `Retry-After` on 429. */
  | { readonly _tag: "Status"; readonly status: 429 | 500 | 502 | 503 | 504; readonly retryAfter?: number | undefined }
  /** Wait, then answer normally. */
  | { readonly _tag: "Delay"; readonly millis: number }
  /** Close the connection without answering. */
  | { readonly _tag: "Reset" }
  /** Start a 200 answer and cut the connection halfway through its body. */
  | { readonly _tag: "Truncate" }
  /**
   * A complete, well-framed 200 whose JSON stops halfway (its `Content-Length` is that of the cut body): what a
   * proxy or server that dies mid-write can leave behind, with nothing wrong at the HTTP level.
   */
  | { readonly _tag: "Cut" }
  /**
   * A provider's quota: a token bucket of `limit` requests refilled evenly over `windowMillis` (starting full).
   * Requests past it get a 429 with `Retry-After` (whole seconds until the next token); the others pass. Not a
   * fault a request draws: it fires exactly when the budget is spent.
   */
  | { readonly _tag: "Quota"; readonly limit: number; readonly windowMillis: number }

/**
 * @since 0.2.0
 * @category models
 */
export interface Rule {
  readonly fault: Fault
  /** Fire on requests N, 2N, 3N, ... (counted per rule). */
  readonly every?: number | undefined
  /** Fire with this probability, 0 to 1. Default 1 when `every` is not set. */
  readonly probability?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  readonly rules: ReadonlyArray<Rule>
  /** PRNG seed for probabilistic rules. Default 1. */
  readonly seed?: number | undefined
}

/**
 * Decides the fault, if any, for each request in turn.
 *
 * @since 0.2.0
 * @category models
 */
export interface Injector {
  readonly next: () => Option.Option<Fault>
}

// mulberry32: tiny, seedable, good enough to make fault patterns reproducible.
const prng = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options, now: () => number = Date.now): Injector => {
  const random = prng(options.seed ?? 1)
  const seen = options.rules.map(() => 0)
  const buckets = options.rules.map((rule) =>
    rule.fault._tag === "Quota" ? { tokens: rule.fault.limit, at: now() } : undefined
  )
  /** Takes a token, or says how many seconds until there is one. */
  const take = (i: number, quota: { readonly limit: number; readonly windowMillis: number }): number | undefined => {
    const bucket = buckets[i]!
    const time = now()
    const perMilli = quota.limit / quota.windowMillis
    bucket.tokens = Math.min(quota.limit, bucket.tokens + (time - bucket.at) * perMilli)
    bucket.at = time
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return undefined
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMilli / 1000))
  }
  return {
    next: () => {
      // Every rule counts and draws on every request, even after an earlier rule fired, so one rule's outcome never
      // shifts another's sequence; the first rule that fired decides the fault.
      let fired: Option.Option<Fault> = Option.none()
      for (let i = 0; i < options.rules.length; i++) {
        const rule = options.rules[i]
        seen[i]++
        const fires = rule.every !== undefined ? seen[i] % rule.every === 0 : random() < (rule.probability ?? 1)
        if (!fires) continue
        if (rule.fault._tag === "Quota") {
          // Only a request that gets through spends a token; one already failed by an earlier rule does not.
          if (Option.isSome(fired)) continue
          const wait = take(i, rule.fault)
          if (wait !== undefined) fired = Option.some({ _tag: "Status", status: 429, retryAfter: wait })
          continue
        }
        if (Option.isNone(fired)) fired = Option.some(rule.fault)
      }
      return fired
    }
  }
}

const statuses = new Set([429, 500, 502, 503, 504])

/**
 * Parses a rule from its command-line form: `KIND[:key=value]...`, KIND one of `429`, `500`, `502`, `503`, `504`,
 * `delay`, `reset`, `truncate`, `cut`, `quota`; keys `every=N`, `p=0.25`, `retry-after=SECONDS` (429), `ms=MILLIS`
 * (delay), `limit=N` and `window-ms=MILLIS` (quota, default 1000).
 * Examples: `429:p=0.2:retry-after=1`, `503:every=3`, `delay:ms=200:p=0.5`, `reset:every=10`, `quota:limit=20`.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseRule = (spec: string): Either.Either<Rule, string> => {
  const [kind, ...pairs] = spec.trim().split(":")
  const params = new Map<string, string>()
  for (const pair of pairs) {
    const [key, value] = pair.split("=")
    if (value === undefined || value === "") return Either.left(`"${pair}" in fault "${spec}" is not key=value`)
    params.set(key, value)
  }
  const number = (key: string): Either.Either<number | undefined, string> => {
    const raw = params.get(key)
    if (raw === undefined) return Either.right(undefined)
    const n = Number(raw)
    return Number.isFinite(n) && n >= 0 ? Either.right(n) : Either.left(`${key} must be a number >= 0 in "${spec}"`)
  }
  for (const key of params.keys()) {
    if (!["every", "p", "retry-after", "ms", "limit", "window-ms"].includes(key)) {
      return Either.left(
        `unknown key "${key}" in fault "${spec}"; expected every, p, retry-after, ms, limit or window-ms`
      )
    }
  }
  return Either.gen(function* () {
    const every = yield* number("every")
    const probability = yield* number("p")
    if (every !== undefined && !(Number.isInteger(every) && every >= 1)) {
      return yield* Either.left(`every must be an integer >= 1 in "${spec}"`)
    }
    if (probability !== undefined && probability > 1) return yield* Either.left(`p must be at most 1 in "${spec}"`)
    let fault: Fault
    if (statuses.has(Number(kind))) {
      fault = { _tag: "Status", status: Number(kind) as 429, retryAfter: yield* number("retry-after") }
    } else if (kind === "delay") {
      const millis = yield* number("ms")
      if (millis === undefined) return yield* Either.left(`delay needs ms=MILLIS in "${spec}"`)
      fault = { _tag: "Delay", millis }
    } else if (kind === "reset") {
      fault = { _tag: "Reset" }
    } else if (kind === "truncate") {
      fault = { _tag: "Truncate" }
    } else if (kind === "cut") {
      fault = { _tag: "Cut" }
    } else if (kind === "quota") {
      const limit = yield* number("limit")
      const windowMillis = (yield* number("window-ms")) ?? 1000
      if (limit === undefined || !Number.isInteger(limit) || limit < 1) {
        return yield* Either.left(`quota needs limit=N (an integer >= 1) in "${spec}"`)
      }
      if (windowMillis <= 0) return yield* Either.left(`window-ms must be > 0 in "${spec}"`)
      fault = { _tag: "Quota", limit, windowMillis }
    } else {
      return yield* Either.left(
        `unknown fault "${kind}"; expected 429, 500, 502, 503, 504, delay, reset, truncate, cut or quota`
      )
    }
    return { fault, every, probability }
  })
}

/**
 * How the middleware answers the faults that replace an answer, each given what the app would otherwise send.
 *
 * @since 0.2.0
 * @category models
 */
export interface Answers {
  /** A `Status` fault: the error body of the protocol served, with `Retry-After` (seconds) on a 429 when given. */
  readonly status: (
    status: 429 | 500 | 502 | 503 | 504,
    retryAfter: number | undefined
  ) => HttpServerResponse.HttpServerResponse
  /**
   * The connection broken as a failing network breaks it: before anything (`body` undefined: `reset`), or after the
   * headers and half of `body` (`truncate`). Default: as closely as a response can, having no socket (a 502, or
   * half the body, each with `Connection: close`); `NodeServer` reaches for the socket.
   */
  readonly breakConnection?:
    | ((
        request: HttpServerRequest.HttpServerRequest,
        body: string | undefined
      ) => HttpServerResponse.HttpServerResponse)
    | undefined
}

/**
 * Without a socket: the nearest a response comes to a broken connection (the `breakConnection` default).
 *
 * @since 0.2.0
 * @category middleware
 */
export const breakWithResponse = (
  _request: HttpServerRequest.HttpServerRequest,
  body: string | undefined
): HttpServerResponse.HttpServerResponse =>
  body === undefined
    ? HttpServerResponse.empty({ status: 502, headers: { connection: "close" } })
    : HttpServerResponse.text(body.slice(0, Math.floor(body.length / 2)), {
        contentType: "application/json",
        headers: { connection: "close" }
      })

const decoder = new TextDecoder()

/** A response's body as text, when it holds one in memory (what an app's JSON answer is). */
const bodyText = (response: HttpServerResponse.HttpServerResponse): string | undefined =>
  response.body._tag === "Uint8Array" ? decoder.decode(response.body.body) : undefined

/**
 * The faults as an `HttpMiddleware` around an app: each request draws its fault from `injector` first. A status
 * answers in its place, a reset breaks the connection, a delay waits then runs the app; `truncate` and `cut` run
 * the app and spoil its 200 answer (another status passes as it is). One injector shared by several apps draws
 * one sequence across them.
 *
 * @since 0.2.0
 * @category middleware
 */
export const middleware =
  (injector: Injector, answers: Answers) =>
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> => {
    const breakConnection = answers.breakConnection ?? breakWithResponse
    return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const drawn = injector.next()
      if (Option.isNone(drawn)) return app
      const fault = drawn.value
      const spoiled = (spoil: (text: string) => HttpServerResponse.HttpServerResponse) =>
        Effect.map(app, (response) => {
          const text = response.status === 200 ? bodyText(response) : undefined
          return text === undefined ? response : spoil(text)
        })
      const answer = ((): HttpApp.Default<E, R> => {
        switch (fault._tag) {
          case "Status":
            return Effect.succeed(answers.status(fault.status, fault.retryAfter))
          case "Reset":
            return Effect.succeed(breakConnection(request, undefined))
          case "Delay":
            return Effect.zipRight(Effect.sleep(Duration.millis(fault.millis)), app)
          case "Truncate":
            return spoiled((text) => breakConnection(request, text))
          case "Cut":
            return spoiled((text) =>
              HttpServerResponse.text(text.slice(0, Math.floor(text.length / 2)), {
                contentType: "application/json"
              })
            )
          // A quota answers as a 429 Status when spent; the rule itself is never drawn.
          case "Quota":
            return app
        }
      })()
      return Effect.zipRight(Effect.annotateCurrentSpan("fault", fault._tag), answer)
    })
  }
