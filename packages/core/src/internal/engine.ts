/**
 * One rerank call, start to end, for every provider alike: the request checked, the cache looked up, the rest split
 * into windows sized for the model the call names and run with bounded concurrency, the fresh scores kept, the
 * answers assembled, the whole under the total timeout and one span. Every run of the effect starts from nothing:
 * its state lives inside it.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import * as Batching from "../Batching.js"
import * as Billing from "../Billing.js"
import * as Fields from "../Fields.js"
import * as Progress from "../Progress.js"
import * as Provider from "../Provider.js"
import type * as Quota from "../Quota.js"
import { PayloadLimitError, type RerankError, TimeoutError } from "../RerankError.js"
import * as RerankRequest from "../RerankRequest.js"
import * as RerankResult from "../RerankResult.js"
import { assemble, type Cached } from "./assemble.js"
import * as Cache from "./cache.js"
import * as Chunked from "./chunked.js"
import * as Instruction from "./instruction.js"
import * as Metrics from "./metrics.js"
import * as ScoreKind from "./scoreKind.js"
import type * as Settings from "./settings.js"
import * as Window from "./window.js"

/** Everything a reranker resolved when it was built. */
export interface Engine {
  readonly provider: Provider.Provider<any>
  readonly settings: Settings.Settings
  readonly pace: Quota.Pace | undefined
  readonly cache: Cache.Cache | undefined
}

const spanOptions = { kind: "client", captureStackTrace: false } as const

/** The windows of what is sent, each run with its retries; one window runs in this fiber, without a fork. */
const runWindows = (
  engine: Engine,
  call: Window.Call,
  request: {
    readonly query: string
    readonly model: string
    readonly topN?: number | undefined
    readonly instruction: string | undefined
    readonly records: ReadonlyArray<Readonly<Record<string, unknown>>> | undefined
  },
  toSend: ReadonlyArray<string>,
  windows: ReadonlyArray<Batching.Window>
) =>
  Effect.flatMap(Progress.Progress, (progress) => {
    const context: Window.Context = { ...engine, progress }
    let completed = 0
    const requestOf = (window: Batching.Window): Provider.WindowRequest => ({
      query: request.query,
      ...(request.instruction === undefined ? {} : { instruction: request.instruction }),
      ...(request.records === undefined
        ? {}
        : {
            records:
              windows.length === 1 ? request.records : request.records.slice(window.offset, window.offset + window.size)
          }),
      documents: windows.length === 1 ? toSend : toSend.slice(window.offset, window.offset + window.size),
      model: request.model,
      // With a cache every score is kept, so every score is asked for; without one, an item below its window's top
      // N is beaten by N items of its own window, whichever the merge.
      topN:
        engine.cache !== undefined || request.topN === undefined
          ? Option.none()
          : Option.some(Math.min(request.topN, window.size))
    })
    // Suspended: a window's request is built (and a provider's body encoded) only when its turn comes.
    const runOne = (window: Batching.Window) =>
      Effect.suspend(() => Window.run(context, call, requestOf(window))).pipe(
        Effect.tap(() => progress.onWindow(++completed, windows.length))
      )
    return windows.length === 1
      ? Effect.map(runOne(windows[0]), (response) => [response])
      : Effect.forEach(windows, runOne, { concurrency: engine.settings.batching.concurrency })
  })

/** Attributes set on the call's span as they become known: the span is at hand, so no effect is needed. */
const annotate = (span: Tracer.Span, attributes: Record<string, unknown>) => {
  for (const key in attributes) span.attribute(key, attributes[key])
}

const run = <A>(
  engine: Engine,
  call: Window.Call,
  request: RerankRequest.RerankRequest<A>,
  span: Tracer.Span
): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
  Effect.gen(function* () {
    const { cache, provider, settings } = engine
    const { records, texts } = yield* documentsOf(provider, request)
    const model = request.model ?? provider.model
    annotate(span, {
      "gen_ai.system": provider.system,
      "gen_ai.operation.name": "rerank",
      "gen_ai.request.model": model,
      "rerank.documents.count": texts.length,
      ...(request.topN === undefined ? {} : { "gen_ai.request.top_n": request.topN })
    })
    const scoreKind = yield* ScoreKind.checked(provider, model, request.minScore)
    const { field, query } = yield* Instruction.resolve(
      provider,
      model,
      request.query,
      request.instruction ?? settings.instruction,
      settings.instructionMode
    )
    if (texts.length === 0) return { ...RerankResult.empty<A>(model), scoreKind }
    const cached: Cached | undefined =
      cache === undefined
        ? undefined
        : yield* Cache.lookup(
            cache,
            provider,
            model,
            // A field instruction changes the scores as much as the query does: part of the key.
            field === undefined ? query : `${query}\u0000instruction:${field}`,
            texts,
            call.warnings
          )
    const toSend = cached === undefined ? texts : cached.sent.map((i) => texts[i])
    const recordsToSend = records === undefined || cached === undefined ? records : cached.sent.map((i) => records[i])
    const limit = Provider.limitFor(provider, settings.batching.maxDocumentsPerRequest, model)
    if (!settings.batching.batching && toSend.length > limit) {
      return yield* new PayloadLimitError({ limit, actual: toSend.length, unit: "documents", attempts: 0 })
    }
    // None when every document came from the cache.
    const windows = Batching.windows(toSend.length, limit)
    const budget = settings.batching.maxWindows
    if (budget !== undefined && windows.length > budget) {
      return yield* new PayloadLimitError({
        limit: budget * limit,
        actual: toSend.length,
        unit: "documents",
        attempts: 0
      })
    }
    annotate(span, { "rerank.windows": windows.length, "rerank.merge": settings.batching.merge })
    yield* Metrics.sent(provider.system, windows.length, toSend.length, cached?.hits.length)
    const responses = yield* runWindows(
      engine,
      call,
      { query, model, topN: request.topN, instruction: field, records: recordsToSend },
      toSend,
      windows
    )
    if (cache !== undefined && cached !== undefined) {
      yield* Cache.keep(cache, cached, windows, responses, call.warnings)
    }
    const { billed, reportedCost, results, searchUnits, warnings } = assemble(
      request,
      windows,
      responses,
      settings.batching.merge,
      cached
    )
    // What the provider says it charged wins over a price table's estimate.
    const cost = reportedCost ?? costOf(engine, model, billed, warnings)
    annotate(span, {
      "gen_ai.usage.search_units": searchUnits,
      "rerank.attempts": call.attempts,
      ...(cached === undefined ? {} : { "rerank.cache.hits": cached.hits.length }),
      ...(billed === undefined ? {} : { "rerank.billed.unit": billed.unit, "rerank.billed.quantity": billed.quantity }),
      ...(cost === undefined ? {} : { "rerank.cost.usd": cost })
    })
    yield* Metrics.billed(provider.system, model, billed, cost)
    for (const warning of call.warnings) warnings.add(warning)
    const usage = {
      searchUnits,
      requests: responses.length,
      ...(billed === undefined ? {} : { billed }),
      ...(cost === undefined ? {} : { cost })
    }
    return {
      results,
      model,
      scoreKind,
      usage:
        cached === undefined ? usage : { ...usage, cachedDocuments: cached.hits.length, sentDocuments: toSend.length },
      warnings: Array.from(warnings)
    } satisfies RerankResult.RerankResult<A>
  })

/** A call's texts (and, with `fields` on a provider with native rank fields, its documents' records). */
const documentsOf = <A>(provider: Provider.Provider<any>, request: RerankRequest.RerankRequest<A>) =>
  request.fields === undefined
    ? Either.map(RerankRequest.validate(request), (texts) => ({ texts, records: undefined }))
    : Either.map(
        RerankRequest.read(request, request.fields, provider.fields?.encode ?? Fields.keyValueLines),
        ({ picked, texts }) => ({
          texts,
          records: provider.fields?.native === true ? picked.map(Fields.record) : undefined
        })
      )

/** `billed` at the model's price; a price in another unit is said in a warning rather than guessed across. */
const costOf = (
  engine: Engine,
  model: string,
  billed: Billing.Billed | undefined,
  warnings: Set<string>
): number | undefined => {
  const price = Billing.priceOf(model, engine.settings.prices, engine.provider.prices)
  if (billed === undefined || price === undefined) return undefined
  const cost = Billing.cost(billed, price)
  if (cost._tag === "Cost") return cost.usd
  warnings.add(
    `the price of ${model} is per ${price.unit}, but ${engine.provider.system} bills ${billed.unit}: no cost computed`
  )
  return undefined
}

/** The service's `rerank`: a fresh run's state for every run of the effect it returns. */
export const rerank =
  (engine: Engine) =>
  <A>(request: RerankRequest.RerankRequest<A>): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
    Effect.useSpan("Reranker.rerank", spanOptions, (span) =>
      Effect.clockWith((clock) => {
        const start = clock.unsafeCurrentTimeMillis()
        const call: Window.Call = { attempts: 0, warnings: new Set() }
        const { totalTimeout } = engine.settings
        const chunking = Chunked.chunkingOf(engine.settings.chunk, request.chunk)
        const body = Either.isLeft(chunking)
          ? Effect.fail(chunking.left)
          : chunking.right === undefined
            ? run(engine, call, request, span)
            : Chunked.run(request, chunking.right, {
                textsOf: (r) => Either.map(documentsOf(engine.provider, r), ({ texts }) => texts),
                checkMinScore: (model) =>
                  ScoreKind.checked(engine.provider, model ?? engine.provider.model, request.minScore),
                scoreChunks: (chunks) => run(engine, call, chunks, span)
              })
        const bounded =
          totalTimeout === undefined
            ? body
            : Effect.timeoutFail(body, {
                duration: totalTimeout,
                onTimeout: () => new TimeoutError({ timeout: totalTimeout, scope: "total", attempts: call.attempts })
              })
        const { provider } = engine
        const model = request.model ?? provider.model
        const recorded = (error: RerankError | undefined) =>
          Metrics.call(provider.system, model, (clock.unsafeCurrentTimeMillis() - start) / 1000, error)
        return bounded.pipe(
          Effect.tapBoth({
            // On failure the span counts every attempt of every window, not only those of the window that failed.
            onFailure: (error) => {
              annotate(span, { "error.type": error._tag, "rerank.attempts": call.attempts })
              return recorded(error)
            },
            onSuccess: () => recorded(undefined)
          }),
          Effect.withParentSpan(span)
        )
      })
    )
