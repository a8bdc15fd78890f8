/**
 * The measures against trec_eval's own test outputs (usnistgov/trec_eval at f4253652, test/: `qrels.test` with
 * `results.test` and `-m all_trec -q` = `out.test.aq`; graded and negative judgments `qrels.rel_level` with `-l2` =
 * `out.test.aql`; `results.trunc` with `-c` = `out.test.aqc`), per query and mean, to the 4 decimals trec_eval
 * prints; and against the shared vectors (ranx, pytrec_eval and ir_measures' tests).
 */
import { Conformance, Metrics, Trec } from "@effect-rerank/eval"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"

const fixture = (name: string) => readFileSync(join(__dirname, "fixtures", "trec_eval", name), "utf8")

/** trec_eval's output: measure -> query (or "all") -> value. */
const outputOf = (text: string) => {
  const out = new Map<string, Map<string, number>>()
  for (const line of text.split("\n")) {
    const [measure, query, value] = line.trim().split(/\s+/)
    if (value === undefined) continue
    const byQuery = out.get(measure) ?? new Map<string, number>()
    byQuery.set(query, Number(value))
    out.set(measure, byQuery)
  }
  return out
}

// Our names for trec_eval's: every cutoff it prints for the measures we compute.
const cutoffs = [5, 10, 15, 20, 30, 100, 200, 500, 1000]
const pairs: ReadonlyArray<readonly [string, string]> = [
  ["map", "map"],
  ["mrr", "recip_rank"],
  ["r-precision", "Rprec"],
  ["ndcg", "ndcg"],
  ...cutoffs.flatMap((k) => [
    [`ndcg@${k}`, `ndcg_cut_${k}`] as const,
    [`map@${k}`, `map_cut_${k}`] as const,
    [`p@${k}`, `P_${k}`] as const,
    [`recall@${k}`, `recall_${k}`] as const
  ])
]
const measures = pairs.map(([ours]) => Metrics.parse(ours) as Metrics.Measure)

const compare = (evaluated: Metrics.Evaluated, output: Map<string, Map<string, number>>) => {
  let checked = 0
  for (const [ours, theirs] of pairs) {
    const expected = output.get(theirs)!
    expect(expected, theirs).toBeDefined()
    for (const [query, value] of expected) {
      const actual = query === "all" ? evaluated.mean[ours] : evaluated.perQuery.get(query)?.[ours]
      // trec_eval prints 4 decimals, rounded.
      expect(Math.abs(actual! - value), `${theirs} ${query}: ${actual} vs ${value}`).toBeLessThanOrEqual(
        0.00005 + 1e-12
      )
      checked++
    }
  }
  return checked
}

describe("the measures agree with trec_eval's own test outputs", () => {
  const qrels = Either.getOrThrow(Trec.parseQrels(fixture("qrels.test")))
  const run = Either.getOrThrow(Trec.parseRun(fixture("results.test")))

  it("qrels.test x results.test, -q: every query and the mean of 40 measures", () => {
    const evaluated = Metrics.evaluate(qrels, run, measures)
    expect(evaluated.queries).toEqual(["301", "302", "303"])
    expect(compare(evaluated, outputOf(fixture("out.test.aq")))).toBe(pairs.length * 4)
  })

  it("graded and negative judgments (qrels.rel_level) at relevance level 2 (-l2)", () => {
    const graded = Either.getOrThrow(Trec.parseQrels(fixture("qrels.rel_level")))
    const evaluated = Metrics.evaluate(graded, run, measures, { relevanceLevel: 2 })
    expect(compare(evaluated, outputOf(fixture("out.test.aql")))).toBe(pairs.length * 4)
  })

  it("-c: a judged query the run lacks counts, as 0 (results.trunc)", () => {
    const truncated = Either.getOrThrow(Trec.parseRun(fixture("results.trunc")))
    const evaluated = Metrics.evaluate(qrels, truncated, measures, { complete: true })
    const output = outputOf(fixture("out.test.aqc"))
    expect(evaluated.queries.length).toBe(output.get("num_q")!.get("all"))
    compare(evaluated, output)
  })
})

describe("the measures agree with the shared vectors", () => {
  const file = join(Conformance.dir, "metrics", "inline_vectors.json")
  const present = existsSync(file)
  if (!present) console.log("skipped: no conformance data (../shared/conformance/metrics)")
  const vectors: Array<any> = present ? JSON.parse(readFileSync(file, "utf8")) : []
  const of = (query: Record<string, number>) => new Map(Object.entries(query))
  /** A ranking as a run: descending scores in the given order. */
  const runOf = (ranking: ReadonlyArray<string>) => new Map(ranking.map((id, i) => [id, ranking.length - i]))
  const one = (qrel: Map<string, number>, run: Map<string, number>, name: string) =>
    Metrics.evaluate(new Map([["q", qrel]]), new Map([["q", run]]), [Metrics.parse(name) as Metrics.Measure]).mean[name]

  it.skipIf(!present)("ranx's README example: ndcg@5, map@5, mrr", () => {
    const v = vectors[0]
    const qrels = new Map(Object.entries(v.qrels).map(([q, j]) => [q, of(j as any)]))
    const run = new Map(Object.entries(v.run).map(([q, r]) => [q, of(r as any)]))
    const evaluated = Metrics.evaluate(
      qrels,
      run,
      ["ndcg@5", "map@5", "mrr"].map((m) => Metrics.parse(m) as Metrics.Measure)
    )
    expect(evaluated.mean["ndcg@5"]).toBeCloseTo(v.recomputed["ndcg@5"], 10)
    expect(evaluated.perQuery.get("q_1")!["ndcg@5"]).toBeCloseTo(v.recomputed["ndcg@5_per_query"].q_1, 10)
    expect(evaluated.mean["map@5"]).toBeCloseTo(v.recomputed["map@5"], 10)
    expect(evaluated.mean.mrr).toBe(0.75)
  })

  it.skipIf(!present)(
    "ranx's nDCG@10 with linear gain, average precision, recall and R-precision, reciprocal rank",
    () => {
      const ndcg = vectors[1]
      for (const [name, ranking] of Object.entries(ndcg.rankings)) {
        expect(one(of(ndcg.qrel), runOf(ranking as Array<string>), "ndcg@10")).toBeCloseTo(
          ndcg.expected_ndcg_10_linear_gain?.[name] ?? ndcg["expected_ndcg@10_linear_gain"][name],
          10
        )
      }
      const ap = vectors[2]
      expect(one(new Map(ap.relevant.map((d: string) => [d, 1])), runOf(ap.ranking), "map@6")).toBeCloseTo(0.525, 10)
      const recall = vectors[3]
      const recallValues = recall.queries.map((q: any) =>
        one(new Map(q.relevant.map((d: string) => [d, 1])), runOf(q.ranking), "recall@2")
      )
      expect(recallValues[0]).toBeCloseTo(recall.expected["recall@2_per_query"][0], 10)
      expect(recallValues[1]).toBeCloseTo(recall.expected["recall@2_per_query"][1], 10)
      const rprec = recall.queries.map((q: any) =>
        one(new Map(q.relevant.map((d: string) => [d, 1])), runOf(q.ranking), "r-precision")
      )
      expect((rprec[0] + rprec[1]) / 2).toBeCloseTo(recall.expected["r-precision_mean"], 10)
      const rr = vectors[4]
      // Its third query repeats a document: a run holds a document once, so that one is checked as ranked first.
      expect(one(new Map([["3", 1]]), runOf(rr.queries[0].ranking), "mrr")).toBe(0.5)
      expect(one(new Map([["1", 1]]), runOf(rr.queries[1].ranking), "mrr")).toBe(1)
    }
  )

  it.skipIf(!present)("pytrec_eval's ndcg and ndcg_cut, with ties broken as trec_eval breaks them", () => {
    const v = vectors[5]
    for (const c of v.cases) {
      for (const [name, expected] of Object.entries(c.recomputed as Record<string, number>)) {
        const ours = name === "ndcg" ? "ndcg" : `ndcg@${name.replace("ndcg_cut_", "")}`
        expect(one(of(v.qrel_q1), of(c.run_q1), ours), `${name} ${JSON.stringify(c.run_q1)}`).toBeCloseTo(expected, 10)
      }
    }
  })

  it.skipIf(!present)(
    "ir_measures' AP with negative judgments and a rank column that disagrees with the scores",
    () => {
      const v = vectors[6]
      const qrels = Either.getOrThrow(Trec.parseQrels(v.qrels_trec))
      const run = Either.getOrThrow(Trec.parseRun(v.run_trec))
      const ap = Metrics.evaluate(qrels, run, [Metrics.parse("map") as Metrics.Measure])
      expect(ap.perQuery.get("0")!.map).toBeCloseTo(v.expected.AP["0"], 4)
      expect(ap.perQuery.get("1")!.map).toBeCloseTo(v.expected.AP["1"], 4)
      const ap2 = Metrics.evaluate(qrels, run, [Metrics.parse("map") as Metrics.Measure], { relevanceLevel: 2 })
      expect(ap2.mean.map).toBeCloseTo(v.expected["AP(rel=2)"].mean, 4)
    }
  )
})

describe("measure names", () => {
  it("both notations, and a clear message for what is not a measure", () => {
    expect(Metrics.parse("ndcg_cut_10")).toEqual({ name: "ndcg@10", kind: "ndcg", cutoff: 10 })
    expect(Metrics.parse("P_5")).toEqual({ name: "p@5", kind: "precision", cutoff: 5 })
    expect(Metrics.parse("recip_rank")).toEqual({ name: "mrr", kind: "mrr", cutoff: undefined })
    expect(Metrics.parse("Rprec")).toEqual({ name: "r-precision", kind: "rprec", cutoff: undefined })
    expect(Metrics.parse("bpref")).toContain('unknown measure "bpref"')
    expect(Metrics.parse("recall")).toContain("needs a cutoff")
    expect(Metrics.parse("ndcg@0")).toContain("at least 1")
  })
})
