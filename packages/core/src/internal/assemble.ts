/**
 * From the windows' answers to the caller's result: each answer checked (nothing a server sends is trusted), indices
 * mapped back to input positions, the windows and the cache's hits merged, then `minScore` and `topN` applied once.
 * Plain functions: the hot loop of every call stays out of generators.
 */
import type { Mutable } from "effect/Types"
import * as Batching from "../Batching.js"
import * as Billing from "../Billing.js"
import type * as Provider from "../Provider.js"
import type * as RerankRequest from "../RerankRequest.js"
import { ResponseDecodeError } from "../RerankError.js"
import type * as RerankResult from "../RerankResult.js"

/** A call's cache lookup: the documents found, and the input positions of those sent. */
export interface Cached {
  readonly keys: ReadonlyArray<string>
  readonly hits: ReadonlyArray<{ readonly index: number; readonly score: number }>
  readonly sent: ReadonlyArray<number>
}

/** Every index in range and seen once, every score a finite number: else what is wrong. */
export const invalidWindow = (response: Provider.WindowResponse, size: number): ResponseDecodeError | undefined => {
  const seen = new Uint8Array(size)
  const invalid = (reason: string) => new ResponseDecodeError({ reason })
  for (const result of response.results) {
    const { index, score } = result
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      return invalid(`result index ${index} is outside 0..${size - 1}`)
    }
    if (seen[index] === 1) return invalid(`result index ${index} appears twice`)
    // Number.isFinite is false for anything but a finite number (a string or null from a JavaScript provider too).
    if (!Number.isFinite(score)) return invalid(`result ${index} has a score that is not a finite number`)
    seen[index] = 1
  }
  return undefined
}

/**
 * Said when an answer holds fewer results than were asked (all of the window's documents, or its top N): the
 * documents it left out cannot be in the results, and the caller is told rather than left to wonder.
 */
export const shortAnswer = (response: Provider.WindowResponse, request: Provider.WindowRequest): string | undefined => {
  const size = request.documents.length
  const asked = request.topN._tag === "Some" ? Math.min(request.topN.value, size) : size
  return response.results.length < asked
    ? `a window of ${size} documents was answered with ${response.results.length} results where ${asked} were asked: the documents left out are missing from the results`
    : undefined
}

/** Each result as its final object, once, at its input position: merging orders those very objects. */
const rankedOf = <A>(
  documents: ReadonlyArray<A>,
  windows: ReadonlyArray<Batching.Window>,
  responses: ReadonlyArray<Provider.WindowResponse>,
  cached: Cached | undefined
): Array<Array<Mutable<RerankResult.Ranked<A>>>> => {
  const sent = cached?.sent
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
  // The cache's hits are one more list for the merge (always by score with a cache), which sorts each list.
  if (cached !== undefined) {
    perWindow.push(cached.hits.map(({ index, score }) => ({ index, rank: 0, score, document: documents[index] })))
  }
  return perWindow
}

/** The merged ranking with `minScore` and `topN` applied, the billed units and the providers' warnings. */
export const assemble = <A>(
  request: RerankRequest.RerankRequest<A>,
  windows: ReadonlyArray<Batching.Window>,
  responses: ReadonlyArray<Provider.WindowResponse>,
  merge: Batching.Merge,
  cached: Cached | undefined
) => {
  const { minScore } = request
  const merged = Batching.merge(rankedOf(request.documents, windows, responses, cached), merge)
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
  const billed = Billing.sum(responses.map(billedOf))
  return { results, searchUnits, billed, reportedCost: reportedCostOf(responses), warnings }
}

/** The windows' reported costs summed: `undefined` unless every window reports one (a partial sum would mislead). */
const reportedCostOf = (responses: ReadonlyArray<Provider.WindowResponse>): number | undefined => {
  if (responses.length === 0) return undefined
  let total = 0
  for (const response of responses) {
    if (response.cost === undefined) return undefined
    total += response.cost
  }
  return total
}

/** A window's billing: what it says, else its search units as reported ones (a provider of contract v2's first form). */
const billedOf = (response: Provider.WindowResponse): Billing.Billed | undefined =>
  response.billed ??
  (response.searchUnits === undefined
    ? undefined
    : { unit: "searchUnits", quantity: response.searchUnits, source: "reported" })
