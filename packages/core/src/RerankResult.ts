/**
 * What a reranker returns: the caller's documents, best first, with their scores and input positions.
 *
 * @since 0.2.0
 */
import type * as Billing from "./Billing.js"
import type * as Chunking from "./Chunking.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Ranked<A> {
  /** Position of the document in the request's `documents`. */
  readonly index: number
  /** 1-based position in the results. */
  readonly rank: number
  /** The model's raw relevance score (for Cohere, in [0, 1]). */
  readonly score: number
  /** The caller's own document, not a copy. */
  readonly document: A
  /** With chunking: the chunk that decided the score, and where it is in the document's text. */
  readonly chunk?: Chunking.Decided | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Usage {
  /** Billed units the provider reported (Cohere's search units), summed over all requests; 0 where none are billed. */
  readonly searchUnits: number
  /** Requests that succeeded: one per window. */
  readonly requests: number
  /** With a score cache: documents whose scores came from it. */
  readonly cachedDocuments?: number | undefined
  /** With a score cache: documents sent to the provider (the misses). */
  readonly sentDocuments?: number | undefined
  /**
   * What the call was billed, in the provider's unit, summed over the requests sent (cache hits excluded): reported
   * by the provider or computed from its published rule. Absent where the provider says nothing and has no rule.
   */
  readonly billed?: Billing.Billed | undefined
  /**
   * In USD: what the provider reported it charged (OpenRouter's `usage.cost`) where every request reported it, else
   * `billed` at the model's price (the `prices` option, else the provider's defaults); absent without either.
   */
  readonly cost?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
/**
 * What a score means. `probability`: a relevance in [0, 1] (a sigmoid head, as Cohere's); `logit`: the real line, a
 * probability through the sigmoid (TEI with `raw_scores`); `unbounded`: the model's own scale, to compare within one
 * model only (the local reranker, and providers that document no range). `minScore` means what the kind says.
 *
 * @since 0.2.0
 * @category models
 */
export type ScoreKind = "probability" | "logit" | "unbounded"

/**
 * @since 0.2.0
 * @category models
 */
export interface RerankResult<A> {
  /** Best first. */
  readonly results: ReadonlyArray<Ranked<A>>
  readonly model: string
  /** What the scores are (after any mapping the provider was asked for, such as `scores: "probability"`). */
  readonly scoreKind?: ScoreKind | undefined
  readonly usage: Usage
  /** Warnings from the service (Cohere `meta.warnings`) and compatibility notes. */
  readonly warnings: ReadonlyArray<string>
}

/**
 * The result of reranking nothing: no request is made for an empty document list.
 *
 * @since 0.2.0
 * @category constructors
 */
export const empty = <A>(model: string): RerankResult<A> => ({
  results: [],
  model,
  usage: { searchUnits: 0, requests: 0 },
  warnings: []
})
