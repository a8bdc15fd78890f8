/**
 * IR measures computed as trec_eval (NIST, version 10) computes them, to be compared with its outputs to the last
 * printed decimal: each query's run ordered by score descending, ties broken by document id descending (byte order);
 * a document relevant when its judgment is at least `relevanceLevel` (default 1); judged relevant documents the run
 * missed count in recall, MAP and R-precision; graded judgments are nDCG's gains; a negative judgment is "in the
 * pool, unjudged": neither relevant nor counted. Queries are those of the run that have judgments (trec_eval's
 * default), or every judged query with `complete` (its `-c`: a query the run lacks scores 0).
 *
 * Measure names are trec_eval's (`ndcg_cut_10`, `map`, `recip_rank`, `P_10`, `recall_100`, `Rprec`, `map_cut_100`,
 * `ndcg`) or the usual short forms (`ndcg@10`, `map@100`, `mrr`, `p@10`, `recall@100`, `r-precision`).
 *
 * @since 0.2.0
 */

/**
 * Judgments: query id -> document id -> relevance (graded; negative = in the pool but not judged).
 *
 * @since 0.2.0
 * @category models
 */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>

/**
 * A run: query id -> document id -> score (higher is better).
 *
 * @since 0.2.0
 * @category models
 */
export type Run = ReadonlyMap<string, ReadonlyMap<string, number>>

/**
 * A measure, parsed: its kind and cutoff.
 *
 * @since 0.2.0
 * @category models
 */
export interface Measure {
  /** As written in reports: `ndcg@10`, `map`, `mrr`, `p@5`, `recall@100`, `r-precision`. */
  readonly name: string
  readonly kind: "ndcg" | "map" | "mrr" | "precision" | "recall" | "rprec"
  readonly cutoff?: number | undefined
}

const kinds: Record<string, Measure["kind"]> = {
  ndcg: "ndcg",
  ndcg_cut: "ndcg",
  map: "map",
  map_cut: "map",
  mrr: "mrr",
  recip_rank: "mrr",
  p: "precision",
  precision: "precision",
  recall: "recall",
  rprec: "rprec",
  "r-precision": "rprec"
}

const shortName: Record<Measure["kind"], string> = {
  ndcg: "ndcg",
  map: "map",
  mrr: "mrr",
  precision: "p",
  recall: "recall",
  rprec: "r-precision"
}

/**
 * A measure from its name (either notation), or why not.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parse = (text: string): Measure | string => {
  const match = /^([A-Za-z_-]+?)(?:(?:@|_cut_|_)(\d+))?$/.exec(text.trim())
  const kind = match === null ? undefined : kinds[match[1].toLowerCase()]
  if (match === null || kind === undefined) {
    return `unknown measure "${text}": use ndcg@k, map, map@k, mrr, p@k, recall@k, r-precision (or trec_eval's names)`
  }
  const cutoff = match[2] === undefined ? undefined : Number(match[2])
  if (cutoff !== undefined && cutoff < 1) return `measure "${text}": the cutoff must be at least 1`
  if ((kind === "precision" || kind === "recall") && cutoff === undefined) {
    return `measure "${text}" needs a cutoff: ${shortName[kind]}@10`
  }
  if ((kind === "rprec" || kind === "mrr") && cutoff !== undefined) {
    return `measure "${text}" takes no cutoff`
  }
  return { name: cutoff === undefined ? shortName[kind] : `${shortName[kind]}@${cutoff}`, kind, cutoff }
}

/**
 * Options of an evaluation, as trec_eval's flags.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** `-l`: the least judgment that counts as relevant. Default 1. */
  readonly relevanceLevel?: number | undefined
  /** `-c`: average over every judged query, a query the run lacks scoring 0. Default false. */
  readonly complete?: boolean | undefined
  /** `-M`: use only the first N documents of each query's ranking. */
  readonly maxPerQuery?: number | undefined
}

/**
 * Each query's values and their means, by measure name.
 *
 * @since 0.2.0
 * @category models
 */
export interface Evaluated {
  readonly measures: ReadonlyArray<Measure>
  /** The queries evaluated, in order. */
  readonly queries: ReadonlyArray<string>
  /** Query id -> measure name -> value. */
  readonly perQuery: ReadonlyMap<string, Readonly<Record<string, number>>>
  /** Measure name -> mean over `queries`. */
  readonly mean: Readonly<Record<string, number>>
}

/** trec_eval's order: score descending, then document id descending by bytes. */
const byScoreThenId = (a: readonly [string, number], b: readonly [string, number]): number =>
  b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0)

/**
 * A ranking in trec_eval's order: document ids, best first.
 *
 * @since 0.2.0
 * @category utils
 */
export const ranking = (scores: ReadonlyMap<string, number>): Array<string> =>
  [...scores].sort(byScoreThenId).map(([id]) => id)

interface Judged {
  /** Each retrieved document's judgment, in rank order; unjudged (or negative) as -1. */
  readonly rels: ReadonlyArray<number>
  /** Relevant documents judged (at the level), retrieved or not. */
  readonly numRel: number
  /** Judged documents by level, for the ideal ranking (levels >= 1 only carry gain). */
  readonly levels: ReadonlyArray<number>
}

const judge = (scores: ReadonlyMap<string, number>, judgments: ReadonlyMap<string, number>, options: Options) => {
  const level = options.relevanceLevel ?? 1
  const ranked = ranking(scores).slice(0, options.maxPerQuery ?? Infinity)
  const rels = ranked.map((id) => {
    const rel = judgments.get(id)
    return rel === undefined || rel < 0 ? -1 : rel
  })
  let numRel = 0
  const levels: Array<number> = []
  for (const rel of judgments.values()) {
    if (rel < 0) continue
    if (rel >= level) numRel++
    if (rel > 0) levels.push(rel)
  }
  levels.sort((a, b) => b - a)
  return { rels, numRel, levels } satisfies Judged
}

const dcg = (gains: ReadonlyArray<number>, cutoff: number): number => {
  let sum = 0
  const end = Math.min(gains.length, cutoff)
  for (let i = 0; i < end; i++) if (gains[i] > 0) sum += gains[i] / Math.log2(i + 2)
  return sum
}

const value = (measure: Measure, judged: Judged, level: number): number => {
  const { levels, numRel, rels } = judged
  const cutoff = measure.cutoff ?? Infinity
  switch (measure.kind) {
    case "ndcg": {
      const ideal = dcg(levels, cutoff)
      return ideal > 0 ? dcg(rels, cutoff) / ideal : 0
    }
    case "map": {
      if (numRel === 0) return 0
      let found = 0
      let sum = 0
      const end = Math.min(rels.length, cutoff)
      for (let i = 0; i < end; i++) {
        if (rels[i] >= level) sum += ++found / (i + 1)
      }
      return sum / numRel
    }
    case "mrr": {
      const first = rels.findIndex((rel) => rel >= level)
      return first < 0 ? 0 : 1 / (first + 1)
    }
    case "precision":
    case "recall": {
      let found = 0
      const end = Math.min(rels.length, cutoff)
      for (let i = 0; i < end; i++) if (rels[i] >= level) found++
      if (measure.kind === "precision") return found / cutoff
      return numRel === 0 ? 0 : found / numRel
    }
    case "rprec": {
      const end = Math.min(rels.length, numRel)
      let found = 0
      for (let i = 0; i < end; i++) if (rels[i] >= level) found++
      return numRel === 0 ? 0 : found / numRel
    }
  }
}

/**
 * Every measure for every query of `run` that has judgments (or of `qrels`, with `complete`), and their means.
 *
 * @since 0.2.0
 * @category evaluating
 */
export const evaluate = (
  qrels: Qrels,
  run: Run,
  measures: ReadonlyArray<Measure>,
  options: Options = {}
): Evaluated => {
  const level = options.relevanceLevel ?? 1
  const queries = (options.complete === true ? [...qrels.keys()] : [...run.keys()].filter((q) => qrels.has(q))).sort(
    (a, b) => (a < b ? -1 : a > b ? 1 : 0)
  )
  const perQuery = new Map<string, Record<string, number>>()
  const sums: Record<string, number> = Object.fromEntries(measures.map((m) => [m.name, 0]))
  for (const query of queries) {
    const judged = judge(run.get(query) ?? new Map(), qrels.get(query)!, options)
    const values: Record<string, number> = {}
    for (const measure of measures) {
      values[measure.name] = value(measure, judged, level)
      sums[measure.name] += values[measure.name]
    }
    perQuery.set(query, values)
  }
  const mean = Object.fromEntries(
    measures.map((m) => [m.name, queries.length === 0 ? 0 : sums[m.name] / queries.length])
  )
  return { measures, queries, perQuery, mean }
}
