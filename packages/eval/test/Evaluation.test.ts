/**
 * `Evaluation.run` through its public API on a small dataset whose answers are known: an oracle reranker against a
 * first stage that ranks the relevant documents last, a reranker that fails half way and a re-run that resumes, and
 * the data errors said in one line. Timing is the TestClock's.
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { Evaluation, Metrics, Report } from "@effect-rerank/eval"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** 6 queries of 5 candidates: d<q>-<i>; the relevant ones (i = 0 and 1, graded 2 and 1) are the first stage's last. */
const dataset = (): Evaluation.Dataset => {
  const queries = new Map<string, string>()
  const corpus = new Map<string, string>()
  const qrels = new Map<string, Map<string, number>>()
  const firstStage = new Map<string, Map<string, number>>()
  for (let q = 1; q <= 6; q++) {
    queries.set(`q${q}`, `topic ${q}`)
    const run = new Map<string, number>()
    for (let i = 0; i < 5; i++) {
      const doc = `d${q}-${i}`
      corpus.set(doc, i < 2 ? `relevant ${2 - i} about topic ${q}` : `noise ${i}`)
      run.set(doc, i)
    }
    firstStage.set(`q${q}`, run)
    qrels.set(
      `q${q}`,
      new Map([
        [`d${q}-0`, 2],
        [`d${q}-1`, 1],
        [`d${q}-4`, 0]
      ])
    )
  }
  return { name: "toy", queries, corpus, qrels, firstStage }
}

/** Ranks by the grade written in the text: the ideal ranking. */
const oracle = (calls: { n: number }) =>
  Reranker.layerTest((_query, text) => {
    calls.n++
    const grade = /relevant (\d)/.exec(text)
    return grade === null ? 0 : Number(grade[1])
  })

const measures = ["ndcg@10", "map", "mrr", "p@2"].map((m) => Metrics.parse(m) as Metrics.Measure)

describe("Evaluation.run", () => {
  it.effect("the oracle beats a reversed first stage on every query, measured as trec_eval would", () =>
    Effect.gen(function* () {
      const calls = { n: 0 }
      const results = yield* Evaluation.run(dataset(), [{ name: "oracle", layer: oracle(calls) }], {
        measures,
        trials: 500
      })
      expect(results.systems.map((s) => s.name)).toEqual(["first stage", "oracle"])
      expect(results.queries).toEqual(["q1", "q2", "q3", "q4", "q5", "q6"])
      const [first, best] = results.systems
      expect(best.measures["ndcg@10"].mean).toBe(1)
      expect(best.measures.mrr.mean).toBe(1)
      // The first stage ranks d-4 (not relevant) first, then d-3, d-2, d-1 (grade 1), d-0 (grade 2).
      const ideal = 2 / Math.log2(2) + 1 / Math.log2(3)
      expect(first.perQuery.q1["ndcg@10"]).toBeCloseTo((1 / Math.log2(5) + 2 / Math.log2(6)) / ideal, 12)
      expect(first.measures.mrr.mean).toBe(0.25)
      expect(first.measures["p@2"].mean).toBe(0)
      // One comparison per measure (the oracle against the first stage), six wins each, significant.
      expect(results.comparisons.map((c) => [c.measure, c.a, c.b, c.wins, c.ties, c.losses])).toEqual(
        measures.map((m) => [m.name, "oracle", "first stage", 6, 0, 0])
      )
      const ndcg = results.comparisons[0]
      // Six equal gains: of the 2^6 sign patterns only all-plus and all-minus reach the observed mean, p = 1/32.
      expect(Math.abs(ndcg.randomization.p - 1 / 32)).toBeLessThan(0.02)
      expect(ndcg.tTest.p).toBeLessThan(0.001)
      expect(best.usage).toEqual({ requests: 6, sentDocuments: 30, cachedDocuments: 0 })
      expect(best.latency).toEqual({ p50: 0, p95: 0, mean: 0 })
      expect(calls.n).toBe(30)
    })
  )

  it.effect("depth cuts the first stage: the relevant documents below it cannot be found", () =>
    Effect.gen(function* () {
      const results = yield* Evaluation.run(dataset(), [{ name: "oracle", layer: oracle({ n: 0 }) }], {
        measures,
        depth: 3,
        trials: 100
      })
      // The top 3 by score are d-4, d-3, d-2: none relevant; judged but unretrieved relevant documents still count.
      expect(results.systems[1].measures["ndcg@10"].mean).toBe(0)
      expect(results.systems[1].measures.map.mean).toBe(0)
      expect(results.systems[1].usage.sentDocuments).toBe(18)
    })
  )

  it.effect("a reranker failing half way fails the run with its error; a re-run resumes from the store", () =>
    Effect.gen(function* () {
      const store = Evaluation.memoryStore()
      let fail = true
      const flaky = Reranker.layerTest(
        (query, text) =>
          fail && query === "topic 4"
            ? Effect.fail(new RerankError.ServiceError({ status: 503 }))
            : text.startsWith("relevant")
              ? 1
              : 0,
        { retry: { maxRetries: 0 } }
      )
      const progress: Array<Evaluation.Progress> = []
      const onProgress = (p: Evaluation.Progress) => Effect.sync(() => void progress.push(p))
      const error = yield* Effect.flip(
        Evaluation.run(dataset(), [{ name: "flaky", layer: flaky }], { measures, store, onProgress, trials: 50 })
      )
      expect(error._tag).toBe("ServiceError")
      expect(progress.map((p) => p.done)).toEqual([1, 2, 3])
      fail = false
      progress.length = 0
      const results = yield* Evaluation.run(dataset(), [{ name: "flaky", layer: flaky }], {
        measures,
        store,
        onProgress,
        trials: 50
      })
      // Queries 1 to 3 came from the store: only 4 to 6 ran (and were reported).
      expect(progress).toEqual([
        { system: "flaky", done: 4, total: 6, resumed: 3 },
        { system: "flaky", done: 5, total: 6, resumed: 3 },
        { system: "flaky", done: 6, total: 6, resumed: 3 }
      ])
      expect(results.systems[1].measures.mrr.mean).toBe(1)
    })
  )

  it.effect("the data's problems, each in one line", () =>
    Effect.gen(function* () {
      const data = dataset()
      const holes = { ...data, corpus: new Map([...data.corpus].filter(([id]) => id !== "d2-3")) }
      const missing = yield* Effect.flip(Evaluation.run(holes, [], { measures }))
      expect(missing.message).toBe(
        "1 candidate documents have no text in the corpus (the first: d2-3): the run and the corpus must use the same document ids"
      )
      const elsewhere = { ...data, qrels: new Map([["other", new Map([["x", 1]])]]) }
      expect((yield* Effect.flip(Evaluation.run(elsewhere, [], { measures }))).message).toContain(
        "no query of the first stage has both judgments and a text"
      )
      const twice = yield* Effect.flip(
        Evaluation.run(data, [
          { name: "a", layer: oracle({ n: 0 }) },
          { name: "a", layer: oracle({ n: 0 }) }
        ])
      )
      expect(twice.message).toBe('two systems are named "a": give each its own name')
    })
  )

  it.effect("a file store keeps each finished query as a JSON line, read back by the next run", () =>
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "eval-store-"))
      const store = yield* Evaluation.fileStore(dir)
      const calls = { n: 0 }
      yield* Evaluation.run(dataset(), [{ name: "oracle", layer: oracle(calls) }], { measures, store, trials: 10 })
      const [file] = readdirSync(dir)
      expect(readFileSync(join(dir, file), "utf8").trim().split("\n").length).toBe(6)
      yield* Evaluation.run(dataset(), [{ name: "oracle", layer: oracle(calls) }], { measures, store, trials: 10 })
      expect(calls.n).toBe(30)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("Report", () => {
  it.effect("the table, the CSV and the page hold the numbers of the results", () =>
    Effect.gen(function* () {
      const results = yield* Evaluation.run(dataset(), [{ name: "oracle", layer: oracle({ n: 0 }) }], {
        measures,
        trials: 100
      })
      const { header, rows } = Report.table(results)
      expect(header.slice(0, 2)).toEqual(["system", "ndcg@10 [95% CI]"])
      expect(rows[1][0]).toBe("oracle")
      expect(rows[1][1]).toBe("1.0000 [1.0000, 1.0000]")
      const csv = Report.perQueryCsv(results).trim().split("\n")
      expect(csv[0]).toBe("query,system,ndcg@10,map,mrr,p@2,latency_ms")
      expect(csv.length).toBe(1 + 6 * 2)
      expect(csv[2]).toBe("q1,oracle,1,1,1,1,0")
      const page = yield* Report.html(results)
      expect(page).toContain("default-src 'none'")
      expect(page).not.toMatch(/<script(?! type="application\/json")/)
      expect(page).toContain(`oracle: ndcg@10 1.0000 [1.0000, 1.0000]`)
      expect(page.match(/<svg/g)?.length).toBe(Report.charts(results).length)
    })
  )
})
