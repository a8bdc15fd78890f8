/**
 * The `Reranker` service: reorder candidate documents by relevance to a query. Providers (Cohere over HTTP, the
 * local lexical reranker, the test layer) supply only how one window of documents is scored; `make` adds what every
 * provider shares: validation, the empty case, batching into windows with bounded concurrency, merging,
 * `minScore` / `topN`, deterministic ties and the `Reranker.rerank` span.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Batching from "./Batching.js"
import {
  InvalidRequestError,
  PayloadLimitError,
  type RerankError,
  ResponseDecodeError,
  TimeoutError
} from "./RerankError.js"
import * as RerankRequest from "./RerankRequest.js"
import * as RerankResult from "./RerankResult.js"

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
 * Optional observer of multi-window calls: when provided, every rerank call reports each finished window. The CLI
 * draws its progress bar from it; a job runner could report to its own UI.
 *
 * @since 0.1.0
 * @category progress
 */
export class Progress extends Context.Tag("@effect-rerank/core/Reranker/Progress")<
  Progress,
  { readonly onWindow: (completed: number, total: number) => Effect.Effect<void> }
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
  /** The provider runs this once per attempt (retries included), so the call can report its attempts. */
  readonly onAttempt: Effect.Effect<void>
}

/**
 * What a provider returns for one window. `results[i].index` is a position inside the window.
 *
 * @since 0.1.0
 * @category providers
 */
export interface WindowResponse {
  readonly results: ReadonlyArray<Batching.Scored>
  readonly searchUnits: number
  readonly warnings?: ReadonlyArray<string> | undefined
}

/**
 * A reranking backend: how to score one window.
 *
 * @since 0.1.0
 * @category providers
 */
export interface Provider {
  /** `gen_ai.system` on spans, e.g. `"cohere"`. */
  readonly system: string
  /** Used when a request names no model. */
  readonly model: string
  readonly rerankWindow: (request: WindowRequest) => Effect.Effect<WindowResponse, RerankError>
}

const checkWindowResponse = (
  response: WindowResponse,
  size: number,
  attempts: number
): Either.Either<WindowResponse, ResponseDecodeError> => {
  const seen = new Set<number>()
  for (const result of response.results) {
    if (!Number.isInteger(result.index) || result.index < 0 || result.index >= size) {
      return Either.left(
        new ResponseDecodeError({ reason: `result index ${result.index} is outside 0..${size - 1}`, attempts })
      )
    }
    if (seen.has(result.index)) {
      return Either.left(new ResponseDecodeError({ reason: `result index ${result.index} appears twice`, attempts }))
    }
    if (typeof result.score !== "number" || !Number.isFinite(result.score)) {
      return Either.left(
        new ResponseDecodeError({ reason: `result ${result.index} has a score that is not a finite number`, attempts })
      )
    }
    seen.add(result.index)
  }
  return Either.right(response)
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Batching.Options {
  /** Limit on the whole call, all windows and retries included; fails with `TimeoutError` `scope: "total"`. */
  readonly totalTimeout?: Duration.DurationInput | undefined
}

/**
 * Builds the service from a provider. Batching options that make no sense fail every call with
 * `InvalidRequestError` naming the option.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (provider: Provider, options: Options = {}): Service => {
  const resolved = Batching.resolve(options)
  const rerank = <A>(
    request: RerankRequest.RerankRequest<A>
  ): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const call = Effect.gen(function* () {
        const batching = yield* Either.mapLeft(
          resolved,
          ({ option, reason }) => new InvalidRequestError({ field: option, reason, attempts: 0 })
        )
        const texts = yield* RerankRequest.validate(request)
        const model = request.model ?? provider.model
        yield* Effect.annotateCurrentSpan({
          "gen_ai.system": provider.system,
          "gen_ai.operation.name": "rerank",
          "gen_ai.request.model": model,
          "rerank.documents.count": texts.length
        })
        if (request.topN !== undefined) yield* Effect.annotateCurrentSpan("gen_ai.request.top_n", request.topN)
        if (texts.length === 0) return RerankResult.empty<A>(model)
        if (!batching.batching && texts.length > batching.maxDocumentsPerRequest) {
          return yield* new PayloadLimitError({
            limit: batching.maxDocumentsPerRequest,
            actual: texts.length,
            unit: "documents",
            attempts: 0
          })
        }

        const windows = Batching.windows(texts.length, batching.maxDocumentsPerRequest)
        yield* Effect.annotateCurrentSpan({ "rerank.windows": windows.length, "rerank.merge": batching.merge })
        const progress = yield* Effect.serviceOption(Progress)
        const completed = yield* Ref.make(0)
        const reportWindow = Option.match(progress, {
          onNone: () => Effect.void,
          onSome: (observer) =>
            Effect.flatMap(
              Ref.updateAndGet(completed, (n) => n + 1),
              (n) => observer.onWindow(n, windows.length)
            )
        })
        const responses = yield* Effect.forEach(
          windows,
          (window) =>
            provider
              .rerankWindow({
                query: request.query,
                documents: texts.slice(window.offset, window.offset + window.size),
                model,
                // Safe for both merges: an item below its window's top N is beaten by N items of its own window.
                topN: Option.map(Option.fromNullable(request.topN), (n) => Math.min(n, window.size)),
                onAttempt: Ref.update(attempts, (n) => n + 1)
              })
              .pipe(
                Effect.flatMap((response) =>
                  Effect.flatMap(Ref.get(attempts), (n) => checkWindowResponse(response, window.size, n))
                ),
                Effect.tap(() => reportWindow)
              ),
          { concurrency: batching.concurrency }
        )

        const perWindow = responses.map((response, w) =>
          response.results.map((r) => ({ index: windows[w].offset + r.index, score: r.score }))
        )
        const merged = Batching.merge(perWindow, batching.merge)
        const kept = merged.filter((r) => request.minScore === undefined || r.score >= request.minScore)
        const top = request.topN === undefined ? kept : kept.slice(0, request.topN)
        const searchUnits = responses.reduce((sum, r) => sum + r.searchUnits, 0)
        yield* Effect.annotateCurrentSpan({
          "gen_ai.usage.search_units": searchUnits,
          "rerank.attempts": yield* Ref.get(attempts)
        })
        return {
          results: top.map((r, i) => ({
            index: r.index,
            rank: i + 1,
            score: r.score,
            document: request.documents[r.index]
          })),
          model,
          usage: { searchUnits, requests: responses.length },
          warnings: Array.from(new Set(responses.flatMap((r) => r.warnings ?? [])))
        } satisfies RerankResult.RerankResult<A>
      })
      const bounded =
        options.totalTimeout === undefined
          ? call
          : Effect.timeout(call, options.totalTimeout).pipe(
              Effect.catchTag("TimeoutException", () =>
                Effect.flatMap(
                  Ref.get(attempts),
                  (n) =>
                    new TimeoutError({ timeout: Duration.decode(options.totalTimeout!), scope: "total", attempts: n })
                )
              )
            )
      // On failure the span counts every attempt of every window, not only those of the window that failed.
      return yield* Effect.tapError(bounded, (error) =>
        Effect.flatMap(Ref.get(attempts), (n) =>
          Effect.annotateCurrentSpan({ "error.type": error._tag, "rerank.attempts": n })
        )
      )
    }).pipe(Effect.withSpan("Reranker.rerank", { kind: "client" }))
  return { rerank }
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (provider: Provider, options?: Options): Layer.Layer<Reranker> =>
  Layer.succeed(Reranker, make(provider, options))

/**
 * How a test reranker scores one (query, document text) pair: a number, or an effect, which may fail with a
 * `RerankError` to rehearse failures, or sleep to rehearse latency under `TestClock`.
 *
 * @since 0.1.0
 * @category testing
 */
export type TestScore = (query: string, text: string) => number | Effect.Effect<number, RerankError>

/**
 * A `Reranker` scoring each (query, document text) pair with a function: for testing pipelines without a
 * network. It goes through the same validation, batching and merging as every provider, and bills one search unit
 * per started 100 documents like Cohere.
 *
 * @example
 * ```ts
 * import { Reranker, RerankError } from "@effect-rerank/core"
 * import { Effect, Option } from "effect"
 *
 * const TestReranker = Reranker.layerTest((query, text) => (text.includes(query) ? 1 : 0))
 * const RateLimited = Reranker.layerTest(() =>
 *   Effect.fail(new RerankError.RateLimitError({ retryAfter: Option.none(), status: 429, attempts: 1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category testing
 */
export const makeTest = (score: TestScore, options: Options & { readonly model?: string } = {}): Service =>
  make(
    {
      system: "test",
      model: options.model ?? "test",
      rerankWindow: (request) =>
        Effect.zipRight(
          request.onAttempt,
          Effect.forEach(request.documents, (text, index) => {
            const scored = score(request.query, text)
            return Effect.map(Effect.isEffect(scored) ? scored : Effect.succeed(scored), (s) => ({ index, score: s }))
          }).pipe(
            Effect.map((results) => ({ results, searchUnits: RerankResult.searchUnitsFor(request.documents.length) }))
          )
        )
    },
    options
  )

/**
 * `makeTest` as a layer.
 *
 * @since 0.1.0
 * @category testing
 */
export const layerTest = (score: TestScore, options?: Options & { readonly model?: string }): Layer.Layer<Reranker> =>
  Layer.succeed(Reranker, makeTest(score, options))
