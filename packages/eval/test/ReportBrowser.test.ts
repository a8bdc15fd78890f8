/**
 * The report in a real headless browser (Debian's `chromium-headless-shell`, driven by playwright-core): it opens
 * from a file with no console error and no request beyond itself, its table and its charts hold the numbers of the
 * results.json written beside it (each chart mark's aria-label), one bar per query in each per-query chart.
 * `EVAL_REPORT_SCREENSHOT=path` saves a screenshot (docs/images/eval-report.png is one).
 */
import { Reranker } from "@effect-rerank/core"
import { Evaluation, Metrics, Report } from "@effect-rerank/eval"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import * as Browser from "../../../test-utils/Browser.js"

/** 12 queries of 6 candidates; a good reranker, a worse one; the first stage ranks the relevant ones low. */
const dataset = (): Evaluation.Dataset => {
  const queries = new Map<string, string>()
  const corpus = new Map<string, string>()
  const qrels = new Map<string, Map<string, number>>()
  const firstStage = new Map<string, Map<string, number>>()
  for (let q = 1; q <= 12; q++) {
    queries.set(`${q}`, `topic ${q}`)
    const run = new Map<string, number>()
    const judged = new Map<string, number>()
    for (let i = 0; i < 6; i++) {
      const doc = `D${q}.${i}`
      const relevant = (i + q) % 4 === 0
      corpus.set(doc, relevant ? `relevant ${q % 3} topic ${q}` : `other ${i}`)
      run.set(doc, 6 - i)
      judged.set(doc, relevant ? 1 : 0)
    }
    firstStage.set(`${q}`, run)
    qrels.set(`${q}`, judged)
  }
  return { name: "browser-check", queries, corpus, qrels, firstStage }
}

describe.skipIf(!Browser.available)("report.html in a headless browser", () => {
  it.scopedLive(
    "opens with no console error or outside request; its charts and table hold results.json's numbers",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "eval-report-"))
        const results = yield* Evaluation.run(
          dataset(),
          [
            { name: "good", layer: Reranker.layerTest((_q, text) => (text.startsWith("relevant") ? 1 : 0)) },
            { name: "partial", layer: Reranker.layerTest((_q, text) => (text.startsWith("relevant 1") ? 1 : 0)) }
          ],
          { measures: ["ndcg@10", "mrr"].map((m) => Metrics.parse(m) as Metrics.Measure), trials: 500 }
        )
        yield* Report.write(dir, results)
        const written = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Evaluation.Results
        const url = pathToFileURL(join(dir, "report.html")).href

        const { outside, page, problems } = yield* Browser.openPage({ width: 1200, height: 900 }, (u) => u === url)
        yield* Effect.promise(() => page.goto(url))
        const labels = yield* Effect.promise(() =>
          page.$$eval("svg [aria-label]", (nodes) => nodes.map((n) => n.getAttribute("aria-label") ?? ""))
        )
        for (const system of written.systems) {
          for (const measure of written.measures) {
            const { high, low, mean } = system.measures[measure]
            expect(labels).toContain(
              `${system.name}: ${measure} ${Report.fixed(mean)} [${Report.fixed(low)}, ${Report.fixed(high)}]`
            )
          }
        }
        // Each reranker's per-query chart: one bar per query, its difference to the first stage.
        const good = written.systems.find((s) => s.name === "good")!
        const first = written.systems[0]
        for (const query of written.queries) {
          const d = good.perQuery[query]["ndcg@10"] - first.perQuery[query]["ndcg@10"]
          expect(labels).toContain(`query ${query}: ndcg@10 ${d >= 0 ? "+" : ""}${Report.fixed(d)}`)
        }
        const rows = yield* Effect.promise(() =>
          page.$$eval("#summary tbody tr", (trs) =>
            trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent))
          )
        )
        expect(rows.map((r) => r[0])).toEqual(["first stage", "good", "partial"])
        expect(rows[1][1]).toBe(
          `${Report.fixed(good.measures["ndcg@10"].mean)} [${Report.fixed(good.measures["ndcg@10"].low)}, ${Report.fixed(good.measures["ndcg@10"].high)}]`
        )
        const embedded = yield* Effect.promise(() =>
          page.$eval("#results", (script) => JSON.parse(script.textContent ?? ""))
        )
        expect(embedded).toEqual(written)
        expect(problems).toEqual([])
        expect(outside).toEqual([])
        const screenshot = process.env.EVAL_REPORT_SCREENSHOT
        if (screenshot !== undefined) yield* Effect.promise(() => page.screenshot({ path: screenshot, fullPage: true }))
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
