/**
 * The `Reranker` service: reorder candidate documents by relevance to a query. A provider (Cohere over HTTP, the
 * local lexical reranker, the test layer, your own) supplies only how one window of documents is scored, in exactly
 * one attempt; `make` adds everything a user relies on, identical for every provider: validation, the empty case,
 * batching into windows with bounded concurrency, the retry policy, the per-attempt and total timeouts, attempt
 * counting, merging, `minScore` / `topN`, deterministic ties, usage and the spans.
 *
 * @since 0.1.0
 */
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { Mutable } from "effect/Types"
import * as Batching from "./Batching.js"
import * as Internal from "./internal/options.js"
import * as Quota from "./Quota.js"
import { PayloadLimitError, type RerankError, ResponseDecodeError, TimeoutError } from "./RerankError.js"
import * as RerankRequest from "./RerankRequest.js"
import * as RerankResult from "./RerankResult.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as ScoreCache from "./ScoreCache.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly rerank: <A>(
    request: RerankRequest.RerankRequest<A>
  ) => Effect.Effect<RerankResult.RerankResult<A>, RerankError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Reranker extends Context.Tag("@effect-rerank/core/Reranker")<Reranker, Service>() {}

/**
 * Optional observer of a call's progress: when provided, every rerank call reports each finished window and each
 * failed attempt that will be retried. The CLI draws its progress bar from it; a job runner could report to its
 * own UI.
 *
 * @since 0.1.0
 * @category progress
 */
export class Progress extends Context.Tag("@effect-rerank/core/Reranker/Progress")<
  Progress,
  {
    readonly onWindow: (completed: number, total: number) => Effect.Effect<void>
    /** An attempt failed with `error` and attempt number `attempt + 1` of that window is scheduled. */
    readonly onRetry?: ((error: RerankError, attempt: number) => Effect.Effect<void>) | undefined
  }
>() {}

/**
 * Reranks with the `Reranker` in context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const rerank = <A>(
  request: RerankRequest.RerankRequest<A>
): Effect.Effect<RerankResult.RerankResult<A>, RerankError, Reranker> =>
  Effect.flatMap(Reranker, (reranker) => reranker.rerank(request))

/**
 * One provider request: a slice of the caller's documents, already turned into text.
 *
 * @since 0.1.0
 * @category providers
 */
export interface WindowRequest {
  readonly query: string
  readonly documents: ReadonlyArray<string>
  readonly model: string
  /** Set when only the best N of this window can reach the merged answer; a provider may return just those. */
  readonly topN: Option.Option<number>
}

/**
 * What a provider returns for one window. `results[i].index` is a position inside the window; the core checks
 * that every index is in range and seen once, and every score finite.
 *
 * @since 0.1.0
 * @category providers
 */
export interface WindowResponse {
  readonly results: ReadonlyArray<Batching.Scored>
  /** Billed units the provider reported for this window (Cohere's search units); absent counts as 0. */
  readonly searchUnits?: number | undefined
  readonly warnings?: ReadonlyArray<string> | undefined
}

/**
 * A reranking backend: how to score one window, in exactly one attempt. Everything else (retries, timeouts,
 * batching, merging, attempt counting, spans) is the core's.
 *
 * @example
 * ```ts
 * import { Reranker } from "@effect-rerank/core"
 * import { Effect } from "effect"
 *
 * const byLength: Reranker.Provider = {
 *   system: "by-length",
 *   model: "length-v1",
 *   maxDocumentsPerRequest: 100,
 *   rerankWindow: ({ documents }) =>
 *     Effect.succeed({ results: documents.map((text, index) => ({ index, score: 1 / text.length })) })
 * }
 * const RerankerLive = Reranker.layer(byLength, { concurrency: 2 })
 * ```
 *
 * @since 0.1.0
 * @category providers
 */
export interface Provider {
  /** `gen_ai.system` on spans, e.g. `"cohere"`. */
  readonly system: string
  /** Used when a request names no model. */
  readonly model: string
  /** The provider's own per-request limit, the default of the `maxDocumentsPerRequest` option. Default 1,000. */
  readonly maxDocumentsPerRequest?: number | undefined
  /** The provider's default per-attempt timeout, when it should differ from 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Provider-specific advice for an error (which variable holds the key, what the base URL should look like),
   * added to its message as `hint`. The core's own messages name no vendor.
   */
  readonly hint?: ((error: RerankError) => string | undefined) | undefined
  /**
   * Scoring one window: called once per window, and the effect it returns is one attempt, which the core runs again
   * for each retry (so work done before returning, like encoding the request, is done once). A request refused
   * before anything is sent (a body over a size cap) is returned as `Either.left(error)`: it counts no attempt and
   * is never retried.
   */
  readonly rerankWindow: (request: WindowRequest) => Effect.Effect<WindowResponse, RerankError>
  /**
   * True when each document is scored alone against the query (a cross-encoder: every provider here), so its scores
   * can be cached document by document (the `cache` option). Default false.
   */
  readonly pointwise?: boolean | undefined
  /** What besides the model changes a score (truncation, token limits), as a string: part of every cache key. */
  readonly scoring?: string | undefined
  /** This provider's quota's name (system, endpoint and a hash of the key; never the key). Default `system`. */
  readonly quotaKey?: string | undefined
}

/**
 * What every provider accepts: batching, retries and timeouts. Checked when the service is built; a bad value is a
 * `ConfigError` naming the option.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Batching.Options {
  /** Limit on each attempt; a late attempt fails with `TimeoutError` `scope: "attempt"` (retried). Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Limit on the whole call, all windows and retries included; fails with `TimeoutError` `scope: "total"`. */
  readonly totalTimeout?: Duration.DurationInput | undefined
  /** The default policy's options, or a `Schedule` that replaces the policy wholesale. */
  readonly retry?: RetryPolicy.Options | Schedule.Schedule<unknown, RerankError> | undefined
  /**
   * Pace every attempt to a quota (`{ limit, window }`), shared by every process when a Redis `RateLimiterStore` is
   * provided (see `Quota`). A 429 that still comes back is handled as always.
   */
  readonly rateLimit?: Quota.Options | undefined
  /**
   * Remember scores and send only the documents not seen before (see `ScoreCache`): `true` or `{ ttl }`. In memory
   * unless a `ScoreCache.ScoreCacheStore` is provided. Needs a pointwise provider and `merge: "score"`.
   */
  readonly cache?: ScoreCache.Options | boolean | undefined
}

const decodeError = (reason: string) => Effect.fail(new ResponseDecodeError({ reason }))

/** Every index in range and seen once, every score a finite number: nothing a server sends is trusted. */
const checkWindowResponse = (response: WindowResponse, size: number): Effect.Effect<WindowResponse, RerankError> => {
  const seen = new Uint8Array(size)
  for (const result of response.results) {
    const { index, score } = result
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      return decodeError(`result index ${index} is outside 0..${size - 1}`)
    }
    if (seen[index] === 1) return decodeError(`result index ${index} appears twice`)
    // Number.isFinite is false for anything but a finite number (a string or null from a JavaScript provider too).
    if (!Number.isFinite(score)) {
      return decodeError(`result ${index} has a score that is not a finite number`)
    }
    seen[index] = 1
  }
  return Effect.succeed(response)
}

/**
 * The windows' answers as one ranking of the caller's documents: indices mapped to input positions, merged, then
 * `minScore` and `topN` applied once. A plain function: the hot loop of every call stays out of the generator.
 */
const assemble = <A>(
  request: RerankRequest.RerankRequest<A>,
  windows: ReadonlyArray<Batching.Window>,
  responses: ReadonlyArray<WindowResponse>,
  merge: Batching.Merge,
  cached?: Cached
) => {
  const { documents, minScore } = request
  const sent = cached?.sent
  // Each result becomes its final object once, at its input position; merging orders those very objects.
  const perWindow = responses.map((response, w) => {
    const offset = windows[w].offset
    const out = new Array<Mutable<RerankResult.Ranked<A>>>(response.results.length)
    for (let i = 0; i < out.length; i++) {
      const { index, score } = response.results[i]
      const position = sent === undefined ? offset + index : sent[offset + index]
      out[i] = { index: position, rank: 0, score, document: documents[position] }
    }
    return out
  })
  if (cached !== undefined) {
    // The cache's hits are one more list for the merge (always by score with a cache), which sorts each list.
    perWindow.push(
      cached.hits.map(({ index, score }): Mutable<RerankResult.Ranked<A>> => ({
        index,
        rank: 0,
        score,
        document: documents[index]
      }))
    )
  }
  const merged = Batching.merge(perWindow, merge)
  const limit = Math.min(request.topN ?? merged.length, merged.length)
  const results: Array<Mutable<RerankResult.Ranked<A>>> = []
  for (let i = 0; i < merged.length && results.length < limit; i++) {
    const ranked = merged[i]
    if (minScore !== undefined && ranked.score < minScore) continue
    ranked.rank = results.length + 1
    results.push(ranked)
  }
  let searchUnits = 0
  const warnings = new Set<string>()
  for (const response of responses) {
    searchUnits += response.searchUnits ?? 0
    if (response.warnings !== undefined) for (const warning of response.warnings) warnings.add(warning)
  }
  return { results, searchUnits, warnings }
}

/** A call's cache lookup: the documents found, and the input positions of those sent. */
interface Cached {
  readonly keys: ReadonlyArray<string>
  readonly hits: ReadonlyArray<{ readonly index: number; readonly score: number }>
  readonly sent: ReadonlyArray<number>
}

/**
 * Said on a result when the cache's store could not be reached: the call went to the provider in full (a lookup)
 * or its scores were not kept (a write). Never a wrong answer.
 *
 * @since 0.3.0
 * @category constants
 */
export const cacheUnavailableWarning = "the score cache's store could not be reached: scores were not reused or kept"

/** The one place an error's attempt count (and the provider's advice) is set. */
const finalize = <E extends RerankError>(error: E, attempts: number, hint: string | undefined): E => {
  const Constructor = error.constructor as new (fields: object) => E
  return new Constructor({ ...error, attempts, hint: error.hint ?? hint })
}

const spanOptions = { kind: "client", captureStackTrace: false } as const

/**
 * Builds the service from a provider. Options that make no sense fail here with a `ConfigError` naming the option,
 * the same for every provider.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (provider: Provider, options: Options = {}): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const resolved = yield* Internal.resolve(options, provider)
    const pace =
      options.rateLimit === undefined
        ? undefined
        : yield* Quota.make(yield* Quota.validate(options.rateLimit), provider.quotaKey ?? provider.system)
    const cache =
      options.cache === undefined || options.cache === false
        ? undefined
        : yield* cacheOf(provider, resolved, options.cache === true ? {} : options.cache)
    return fromResolved(provider, resolved, pace, cache)
  })

interface Cache {
  readonly store: ScoreCache.Store
  readonly ttl: Duration.Duration
}

const cacheOf = (
  provider: Provider,
  resolved: Internal.Resolved,
  options: ScoreCache.Options
): Effect.Effect<Cache, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    if (provider.pointwise !== true) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          ["cache"],
          `the ${provider.system} provider does not score each document alone, so its scores cannot be cached one by one`
        )
      )
    }
    if (resolved.batching.merge !== "score") {
      return yield* Effect.fail(
        ConfigError.InvalidData(["cache"], `needs merge: "score" (an RRF merge depends on how the windows fall)`)
      )
    }
    const ttl = yield* ScoreCache.validate(options)
    return { store: yield* ScoreCache.storeFromContext, ttl }
  })

const fromResolved = (
  provider: Provider,
  resolved: Internal.Resolved,
  pace: Quota.Pace | undefined,
  cache: Cache | undefined
): Service => {
  const { batching, retry, timeout, totalTimeout } = resolved
  const hintFor = (error: RerankError) => (provider.hint === undefined ? undefined : provider.hint(error))
  const attemptTimeout = {
    duration: timeout,
    onTimeout: () => new TimeoutError({ timeout, scope: "attempt" })
  }

  /** Attempts counted for the whole call, across windows: the span's `rerank.attempts`; and its notes. */
  interface Call {
    attempts: number
    readonly warnings: Set<string>
  }

  /** One window with retries: attempts counted here, once; the error leaves with its count and hint. */
  const runWindow = (call: Call, request: WindowRequest, progress: Option.Option<Progress["Type"]>) => {
    const size = request.documents.length
    const once = provider.rerankWindow(request)
    // Refused before any request was sent (e.g. a body over the size cap): no attempt was made.
    if (Either.isEither(once) && Either.isLeft(once)) {
      const refused = once.left as RerankError
      return Effect.fail(finalize(refused, 0, hintFor(refused)))
    }
    let attempts = 0
    const attempt = Effect.suspend(() => {
      attempts++
      call.attempts++
      // No span of its own: an HTTP provider's attempt is the platform's `http.client` span, a child of the call's.
      const send = once.pipe(
        Effect.timeoutFail(attemptTimeout),
        Effect.flatMap((response) => checkWindowResponse(response, size))
      )
      // The wait for the quota comes before the attempt's clock starts.
      return pace === undefined
        ? send
        : Effect.flatMap(pace, (warning) => {
            if (warning !== undefined) call.warnings.add(warning)
            return send
          })
    })
    // The schedule is started only after a failure: a call that succeeds at once pays nothing for it.
    const retryFrom = (first: RerankError) =>
      Effect.flatMap(Schedule.driver(retry), (driver) => {
        const onFailure = (error: RerankError): Effect.Effect<WindowResponse, RerankError> =>
          Effect.logDebug("rerank attempt failed").pipe(
            Effect.annotateLogs({ attempt: attempts, error: error._tag, status: error.status ?? "none" }),
            Effect.zipRight(driver.next(error)),
            Effect.matchEffect({
              onFailure: () => Effect.fail(finalize(error, attempts, hintFor(error))),
              onSuccess: () =>
                Effect.zipRight(
                  progress._tag === "Some" && progress.value.onRetry !== undefined
                    ? progress.value.onRetry(error, attempts)
                    : Effect.void,
                  Effect.catchAll(attempt, onFailure)
                )
            })
          )
        return onFailure(first)
      })
    return Effect.catchAll(attempt, retryFrom)
  }

  const scope = (model: string) => ({ system: provider.system, model, scoring: provider.scoring ?? "" })

  /** Every document looked up at once; a store that cannot answer makes every document a miss, never an error. */
  const lookup = (cache: Cache, model: string, query: string, texts: ReadonlyArray<string>, call: Call) => {
    const keys = ScoreCache.keys(scope(model), query, texts)
    return cache.store.getMany(keys).pipe(
      Effect.catchAll(() => {
        call.warnings.add(cacheUnavailableWarning)
        return Effect.succeed(keys.map(() => Option.none<number>()))
      }),
      Effect.map((found): Cached => {
        const hits: Array<{ index: number; score: number }> = []
        const sent: Array<number> = []
        for (let i = 0; i < found.length; i++) {
          const score = found[i]
          if (score._tag === "Some") hits.push({ index: i, score: score.value })
          else sent.push(i)
        }
        return { keys, hits, sent }
      })
    )
  }

  /** The fresh scores, written in one go; a failed write only costs the next call a lookup miss. */
  const keep = (
    cache: Cache,
    cached: Cached,
    windows: ReadonlyArray<Batching.Window>,
    responses: ReadonlyArray<WindowResponse>,
    call: Call
  ) => {
    const entries: Array<readonly [string, number]> = []
    responses.forEach((response, w) => {
      for (const { index, score } of response.results) {
        entries.push([cached.keys[cached.sent[windows[w].offset + index]], score])
      }
    })
    return Effect.catchAll(cache.store.setMany(entries, cache.ttl), () =>
      Effect.sync(() => call.warnings.add(cacheUnavailableWarning))
    )
  }

  const rerank = <A>(
    request: RerankRequest.RerankRequest<A>
  ): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
    Effect.gen(function* () {
      const call: Call = { attempts: 0, warnings: new Set() }
      const run = Effect.gen(function* () {
        const texts = yield* RerankRequest.validate(request)
        const model = request.model ?? provider.model
        yield* Effect.annotateCurrentSpan({
          "gen_ai.system": provider.system,
          "gen_ai.operation.name": "rerank",
          "gen_ai.request.model": model,
          "rerank.documents.count": texts.length,
          ...(request.topN === undefined ? {} : { "gen_ai.request.top_n": request.topN })
        })
        if (texts.length === 0) return RerankResult.empty<A>(model)
        const cached = cache === undefined ? undefined : yield* lookup(cache, model, request.query, texts, call)
        const toSend = cached === undefined ? texts : cached.sent.map((i) => texts[i])
        if (!batching.batching && toSend.length > batching.maxDocumentsPerRequest) {
          return yield* new PayloadLimitError({
            limit: batching.maxDocumentsPerRequest,
            actual: toSend.length,
            unit: "documents",
            attempts: 0
          })
        }

        // None when every document came from the cache.
        const windows = Batching.windows(toSend.length, batching.maxDocumentsPerRequest)
        yield* Effect.annotateCurrentSpan({ "rerank.windows": windows.length, "rerank.merge": batching.merge })
        const progress = yield* Effect.serviceOption(Progress)
        let completed = 0
        const requestOf = (window: Batching.Window): WindowRequest => ({
          query: request.query,
          documents: windows.length === 1 ? toSend : toSend.slice(window.offset, window.offset + window.size),
          model,
          // Safe for both merges: an item below its window's top N is beaten by N items of its own window.
          topN: request.topN === undefined ? Option.none() : Option.some(Math.min(request.topN, window.size))
        })
        // Suspended: a window's request is built (and a provider's body encoded) only when its turn comes.
        const runOne = (window: Batching.Window) =>
          Effect.suspend(() => runWindow(call, requestOf(window), progress)).pipe(
            Effect.tap(() =>
              progress._tag === "Some" ? progress.value.onWindow(++completed, windows.length) : Effect.void
            )
          )
        // One window, the common call, runs in this fiber: no fork for a fan-out of one.
        const responses =
          windows.length === 1
            ? [yield* runOne(windows[0])]
            : yield* Effect.forEach(windows, runOne, { concurrency: batching.concurrency })

        if (cache !== undefined && cached !== undefined) yield* keep(cache, cached, windows, responses, call)
        const { results, searchUnits, warnings } = assemble(request, windows, responses, batching.merge, cached)
        yield* Effect.annotateCurrentSpan({
          "gen_ai.usage.search_units": searchUnits,
          "rerank.attempts": call.attempts,
          ...(cached === undefined ? {} : { "rerank.cache.hits": cached.hits.length })
        })
        for (const warning of call.warnings) warnings.add(warning)
        return {
          results,
          model,
          usage:
            cached === undefined
              ? { searchUnits, requests: responses.length }
              : {
                  searchUnits,
                  requests: responses.length,
                  cachedDocuments: cached.hits.length,
                  sentDocuments: toSend.length
                },
          warnings: Array.from(warnings)
        } satisfies RerankResult.RerankResult<A>
      })
      const bounded =
        totalTimeout === undefined
          ? run
          : Effect.timeoutFail(run, {
              duration: totalTimeout,
              onTimeout: () =>
                finalize(new TimeoutError({ timeout: totalTimeout, scope: "total" }), call.attempts, undefined)
            })
      // On failure the span counts every attempt of every window, not only those of the window that failed.
      return yield* Effect.tapError(bounded, (error) =>
        Effect.annotateCurrentSpan({ "error.type": error._tag, "rerank.attempts": call.attempts })
      )
    }).pipe(Effect.withSpan("Reranker.rerank", spanOptions))
  return { rerank }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (provider: Provider, options?: Options): Layer.Layer<Reranker, ConfigError.ConfigError> =>
  Layer.effect(Reranker, make(provider, options))

/**
 * How a test reranker scores one (query, document text) pair: a number, or an effect, which may fail with a
 * `RerankError` to rehearse failures (retried by the same policy as any provider), or sleep to rehearse latency
 * under `TestClock`.
 *
 * @since 0.1.0
 * @category testing
 */
export type TestScore = (query: string, text: string) => number | Effect.Effect<number, RerankError>

/**
 * A provider scoring each (query, document text) pair with a function. It reports no billed units.
 *
 * @since 0.2.0
 * @category testing
 */
export const testProvider = (score: TestScore, model = "test"): Provider => ({
  system: "test",
  model,
  rerankWindow: (request) =>
    Effect.map(
      Effect.forEach(request.documents, (text, index) => {
        const scored = score(request.query, text)
        return Effect.isEffect(scored)
          ? Effect.map(scored, (s) => ({ index, score: s }))
          : Effect.succeed({ index, score: scored })
      }),
      (results) => ({ results })
    )
})

/**
 * A `Reranker` scoring each (query, document text) pair with a function: for testing pipelines without a
 * network. It goes through the same validation, retries, timeouts, batching and merging as every provider.
 *
 * @since 0.1.0
 * @category testing
 */
export const makeTest = (
  score: TestScore,
  options: Options & { readonly model?: string } = {}
): Effect.Effect<Service, ConfigError.ConfigError> => make(testProvider(score, options.model), options)

/**
 * `makeTest` as a layer.
 *
 * @example
 * ```ts
 * import { Reranker, RerankError } from "@effect-rerank/core"
 * import { Effect, Option } from "effect"
 *
 * const TestReranker = Reranker.layerTest((query, text) => (text.includes(query) ? 1 : 0))
 * const RateLimited = Reranker.layerTest(() =>
 *   Effect.fail(new RerankError.RateLimitError({ retryAfter: Option.none(), status: 429 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const layerTest = (
  score: TestScore,
  options?: Options & { readonly model?: string }
): Layer.Layer<Reranker, ConfigError.ConfigError> => Layer.effect(Reranker, makeTest(score, options))

/**
 * @since 0.3.0
 * @category models
 */
export interface FallbackOptions {
  /**
   * The error kinds, by tag, on which the next reranker takes the call, once the failing one's own retries are
   * spent. Default: `RateLimitError`, `ServiceError`, `TransportError`, `TimeoutError` (the provider is busy or
   * down). An error of any other kind (a bad request, a bad key) fails the call at once: the next provider would
   * only repeat it, or hide a configuration mistake.
   */
  readonly on?: ReadonlyArray<RerankError["_tag"]> | undefined
  /**
   * When every reranker failed with such an error: succeed with the documents in their input order (scores 0,
   * `topN` applied, `minScore` not) and a warning naming the errors, instead of failing. Default false.
   */
  readonly failOpen?: boolean | undefined
}

const fallbackOn: ReadonlyArray<RerankError["_tag"]> = [
  "RateLimitError",
  "ServiceError",
  "TransportError",
  "TimeoutError"
]

/** The documents as they came, for a caller who would rather have an unranked answer than none. */
const inputOrder = <A>(request: RerankRequest.RerankRequest<A>, model: string, warning: string) => {
  const limit = Math.min(request.topN ?? request.documents.length, request.documents.length)
  const results: Array<RerankResult.Ranked<A>> = []
  for (let i = 0; i < limit; i++) results.push({ index: i, rank: i + 1, score: 0, document: request.documents[i] })
  return { results, model, usage: { searchUnits: 0, requests: 0 }, warnings: [warning] }
}

/**
 * Rerankers in order of preference as one: the first answers unless it fails (after its own retries) with an error
 * of a kind named in `on`; then the next takes the call, and so on. The result's `model` is the answering
 * reranker's, and a warning says which ones failed before it. Each try is its own `Reranker.rerank` span under a
 * `Reranker.fallback` span; interrupting the call interrupts the try in flight and starts no other.
 *
 * @example
 * ```ts
 * import { Reranker } from "@effect-rerank/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const primary = yield* Reranker.makeTest(() => 1, { model: "primary" })
 *   const secondary = yield* Reranker.makeTest(() => 0.5, { model: "secondary" })
 *   return Reranker.fallback([primary, secondary], { failOpen: true })
 * })
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const fallback = (rerankers: readonly [Service, ...Array<Service>], options: FallbackOptions = {}): Service => {
  const on = new Set(options.on ?? fallbackOn)
  const rerank = <A>(request: RerankRequest.RerankRequest<A>) => {
    const failures: Array<RerankError> = []
    const attempt = (i: number): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
      rerankers[i].rerank(request).pipe(
        Effect.map((result) =>
          failures.length === 0
            ? result
            : {
                ...result,
                warnings: [
                  ...result.warnings,
                  `answered by ${result.model} (fallback ${i + 1} of ${rerankers.length}) after ${failures.map((e) => e._tag).join(", ")}`
                ]
              }
        ),
        Effect.tap(() => Effect.annotateCurrentSpan("rerank.fallback.answered_by", i)),
        Effect.catchIf(
          (error) => on.has(error._tag),
          (error) => {
            failures.push(error)
            if (i + 1 < rerankers.length) return attempt(i + 1)
            if (options.failOpen !== true) return Effect.fail(error)
            return Effect.as(
              Effect.annotateCurrentSpan("rerank.fallback.fail_open", true),
              inputOrder(
                request,
                "fail-open",
                `no reranker answered (${failures.map((e) => e._tag).join(", ")}): documents returned in input order`
              )
            )
          }
        )
      )
    return attempt(0).pipe(
      Effect.withSpan("Reranker.fallback", {
        kind: "internal",
        captureStackTrace: false,
        attributes: { "rerank.fallback.rerankers": rerankers.length }
      })
    )
  }
  return { rerank }
}

/**
 * `fallback` over layers: each layer is built on its own (they all provide `Reranker`), then chained in order.
 *
 * @example
 * ```ts
 * import { Reranker } from "@effect-rerank/core"
 *
 * const Chain = Reranker.layerFallback([
 *   Reranker.layerTest(() => 1, { model: "primary" }),
 *   Reranker.layerTest(() => 0.5, { model: "secondary" })
 * ])
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layerFallback = <E, R>(
  layers: readonly [Layer.Layer<Reranker, E, R>, ...Array<Layer.Layer<Reranker, E, R>>],
  options?: FallbackOptions
): Layer.Layer<Reranker, E, R> =>
  Layer.scoped(
    Reranker,
    Effect.map(
      Effect.forEach(layers, (layer) => Effect.map(Layer.build(layer), Context.get(Reranker))),
      (services) => fallback(services as unknown as readonly [Service, ...Array<Service>], options)
    )
  )
