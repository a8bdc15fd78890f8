/**
 * The score cache as a call uses it: built once per reranker (refused where it could not be exact), then per call
 * one lookup of every document under the call's scope and one write of the fresh scores. A store that cannot answer
 * costs the call a warning, never a wrong answer or a failure.
 */
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Batching from "../Batching.js"
import * as Provider from "../Provider.js"
import * as ScoreCache from "../ScoreCache.js"
import type { Cached } from "./assemble.js"

export interface Cache extends ScoreCache.Resolved {
  readonly store: ScoreCache.Store
}

/**
 * Said on a result when the cache's store could not be reached: the call went to the provider in full (a lookup)
 * or its scores were not kept (a write). Never a wrong answer.
 */
export const unavailableWarning = "the score cache's store could not be reached: scores were not reused or kept"

/** The cache for a reranker, or a `ConfigError` naming `cache` where it cannot be exact. */
export const make = (
  provider: Provider.Provider<any>,
  merge: Batching.Merge,
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
    if (merge !== "score") {
      return yield* Effect.fail(
        ConfigError.InvalidData(["cache"], `needs merge: "score" (an RRF merge depends on how the windows fall)`)
      )
    }
    const resolved = yield* ScoreCache.validate(options)
    return { ...resolved, store: yield* ScoreCache.storeFromContext }
  })

/** Every document of a call looked up at once, under the scope of the provider and the model the call names. */
export const lookup = (
  cache: Cache,
  provider: Provider.Provider<any>,
  model: string,
  query: string,
  texts: ReadonlyArray<string>,
  warnings: Set<string>
): Effect.Effect<Cached> => {
  const keys = ScoreCache.keys(Provider.scopeOf(provider, model, cache.shareAcrossKeys), query, texts)
  return cache.store.getMany(keys).pipe(
    Effect.catchAll(() => {
      warnings.add(unavailableWarning)
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
export const keep = (
  cache: Cache,
  cached: Cached,
  windows: ReadonlyArray<Batching.Window>,
  responses: ReadonlyArray<Provider.WindowResponse>,
  warnings: Set<string>
): Effect.Effect<void> => {
  const entries: Array<readonly [string, number]> = []
  responses.forEach((response, w) => {
    for (const { index, score } of response.results) {
      entries.push([cached.keys[cached.sent[windows[w].offset + index]], score])
    }
  })
  return Effect.catchAll(cache.store.setMany(entries, cache.ttl), () =>
    Effect.sync(() => warnings.add(unavailableWarning))
  )
}
