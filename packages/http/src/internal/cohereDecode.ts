/**
 * Cohere's 200 body to a window's results, on the hot path. A hand-written check of exactly what
 * `CohereSchema.RerankResponse` accepts (a property test holds the two equal on generated valid and invalid bodies),
 * building the core's results directly, with no intermediate objects. Whatever it does not accept goes through the
 * `Schema`, which names the problem.
 */
import type { Reranker } from "@effect-rerank/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as CohereSchema from "../CohereSchema.js"
import { isObject, reported } from "./wire.js"

const isAbsent = (u: unknown) => u === undefined || u === null
const optionalOf = (u: unknown, type: "string" | "number" | "boolean") => isAbsent(u) || typeof u === type

/** Search units as billed, when `meta.billed_units.search_units` says (else the protocol's rule applies). */
const billedOf = (searchUnits: number | undefined) => reported("searchUnits", searchUnits)

const fromSchema = (response: CohereSchema.RerankResponse): Reranker.WindowResponse => ({
  results: response.results.map((r) => ({ index: r.index, score: r.relevanceScore })),
  searchUnits: response.meta?.billedUnits?.searchUnits ?? 0,
  ...billedOf(response.meta?.billedUnits?.searchUnits),
  warnings: CohereSchema.warningsOf(response)
})

const metaOf = (meta: unknown): { searchUnits: number | undefined; warnings: Array<string> } | undefined => {
  if (isAbsent(meta)) return { searchUnits: undefined, warnings: [] }
  if (!isObject(meta)) return undefined
  const { api_version: apiVersion, billed_units: billed, warnings } = meta
  let deprecated: string | undefined
  if (!isAbsent(apiVersion)) {
    if (!isObject(apiVersion)) return undefined
    const { is_deprecated, is_experimental, version } = apiVersion
    if (!optionalOf(version, "string") || !optionalOf(is_deprecated, "boolean")) return undefined
    if (!optionalOf(is_experimental, "boolean")) return undefined
    if (is_deprecated === true) deprecated = `API version ${(version as string | null) ?? "in use"} is deprecated`
  }
  let searchUnits: number | undefined
  if (!isAbsent(billed)) {
    if (!isObject(billed) || !optionalOf(billed.search_units, "number")) return undefined
    searchUnits = (billed.search_units as number | null) ?? undefined
  }
  const list: Array<string> = []
  if (!isAbsent(warnings)) {
    if (!Array.isArray(warnings)) return undefined
    for (const warning of warnings) {
      if (typeof warning !== "string") return undefined
      list.push(warning)
    }
  }
  if (deprecated !== undefined) list.push(deprecated)
  return { searchUnits, warnings: list }
}

/** The fast path alone: `undefined` where the `Schema` must decide (and, being equal to it, reject). */
export const fast = (json: unknown): Reranker.WindowResponse | undefined => {
  if (!isObject(json) || !optionalOf(json.id, "string")) return undefined
  const raw = json.results
  if (!Array.isArray(raw)) return undefined
  const results = new Array<{ index: number; score: number }>(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i]
    if (!isObject(r)) return undefined
    const index = r.index
    const score = r.relevance_score
    if (typeof index !== "number" || typeof score !== "number") return undefined
    results[i] = { index, score }
  }
  const meta = metaOf(json.meta)
  if (meta === undefined) return undefined
  return { results, searchUnits: meta.searchUnits ?? 0, ...billedOf(meta.searchUnits), warnings: meta.warnings }
}

const decodeSchema = Schema.decodeUnknownEither(CohereSchema.RerankResponse, { errors: "first" })

/** The `Schema` alone, for the equivalence test and for naming what is wrong. */
export const slow = (json: unknown): Either.Either<Reranker.WindowResponse, string> =>
  Either.match(decodeSchema(json), {
    onLeft: (error) => Either.left(CohereSchema.describeIssue(error)),
    onRight: (response) => Either.right(fromSchema(response))
  })

/** A parsed 200 body to the window's results, or where it went wrong. */
export const decode = (json: unknown): Either.Either<Reranker.WindowResponse, string> => {
  const decoded = fast(json)
  return decoded === undefined ? slow(json) : Either.right(decoded)
}
