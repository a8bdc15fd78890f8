/**
 * Rerankers in order of preference as one call: the next takes over when one fails, after its own retries, with an
 * error of a kind that another provider could avoid. The failures seen belong to one run of the effect: running it
 * again starts from the first reranker with none.
 */
import * as Effect from "effect/Effect"
import type { RerankError } from "../RerankError.js"
import type * as RerankRequest from "../RerankRequest.js"
import type * as RerankResult from "../RerankResult.js"

type Rerank = <A>(request: RerankRequest.RerankRequest<A>) => Effect.Effect<RerankResult.RerankResult<A>, RerankError>

export interface Options {
  readonly on?: ReadonlyArray<RerankError["_tag"]> | undefined
  readonly failOpen?: boolean | undefined
}

/** The provider is busy or down: another may answer. */
export const defaultOn: ReadonlyArray<RerankError["_tag"]> = [
  "RateLimitError",
  "ServiceError",
  "TransportError",
  "TimeoutError"
]

/** The documents as they came, for a caller who would rather have an unranked answer than none. */
const inputOrder = <A>(request: RerankRequest.RerankRequest<A>, warning: string): RerankResult.RerankResult<A> => {
  const limit = Math.min(request.topN ?? request.documents.length, request.documents.length)
  const results: Array<RerankResult.Ranked<A>> = []
  for (let i = 0; i < limit; i++) results.push({ index: i, rank: i + 1, score: 0, document: request.documents[i] })
  return { results, model: "fail-open", usage: { searchUnits: 0, requests: 0 }, warnings: [warning] }
}

const tags = (failures: ReadonlyArray<RerankError>) => failures.map((e) => e._tag).join(", ")

export const make = (
  rerankers: readonly [{ readonly rerank: Rerank }, ...Array<{ readonly rerank: Rerank }>],
  options: Options
): Rerank => {
  const on = new Set(options.on ?? defaultOn)
  return <A>(request: RerankRequest.RerankRequest<A>) =>
    Effect.suspend(() => {
      // This run's failures, in order; never shared with another run of the same effect.
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
                    `answered by ${result.model} (fallback ${i + 1} of ${rerankers.length}) after ${tags(failures)}`
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
              const warning = `no reranker answered (${tags(failures)}): documents returned in input order`
              return Effect.as(
                Effect.annotateCurrentSpan("rerank.fallback.fail_open", true),
                inputOrder(request, warning)
              )
            }
          )
        )
      return attempt(0)
    }).pipe(
      Effect.withSpan("Reranker.fallback", {
        kind: "internal",
        captureStackTrace: false,
        attributes: { "rerank.fallback.rerankers": rerankers.length }
      })
    )
}
