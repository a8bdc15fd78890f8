/** What a provider's scores are for a model, and a `minScore` checked against it. */
import * as Effect from "effect/Effect"
import type * as Provider from "../Provider.js"
import { InvalidRequestError } from "../RerankError.js"
import type * as RerankResult from "../RerankResult.js"

export const of = (provider: Provider.Provider<any>, model: string): RerankResult.ScoreKind =>
  typeof provider.scoreKind === "function" ? provider.scoreKind(model) : (provider.scoreKind ?? "unbounded")

/** The kind, or an `InvalidRequestError` when `minScore` is a threshold no probability can meet (or all do). */
export const checked = (
  provider: Provider.Provider<any>,
  model: string,
  minScore: number | undefined
): Effect.Effect<RerankResult.ScoreKind, InvalidRequestError> => {
  const kind = of(provider, model)
  return kind === "probability" && minScore !== undefined && (minScore < 0 || minScore > 1)
    ? // A mistake about the scale, not a filter.
      Effect.fail(
        new InvalidRequestError({
          field: "minScore",
          reason: `must be from 0 to 1: ${provider.system}'s ${model} scores are probabilities, got ${minScore}`
        })
      )
    : Effect.succeed(kind)
}
