/**
 * An evaluation's report: `results.json` (everything measured), `per-query.csv` (one row per query and system), and
 * `report.html`, a page that needs nothing but itself (data and charts inline, no network: its content security
 * policy forbids any): the table with intervals and Holm-adjusted p-values, each measure by system with its interval,
 * each reranker's per-query differences against the first stage (wins, ties, losses), and quality against cost and
 * against latency. The charts are Vega-Lite specifications rendered to SVG by Vega in this process; each mark
 * carries its numbers in its `aria-label`.
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import type { TopLevelSpec } from "vega-lite"
import type { Comparison, Results, SystemResult } from "./Evaluation.js"

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)

/** A number as the report prints it: 4 decimals. */
export const fixed = (x: number): string => x.toFixed(4)

const usd = (x: number | undefined) => (x === undefined ? "n/a" : `$${x.toFixed(x < 0.01 ? 6 : 4)}`)

// Loaded when a report is drawn: the rest of the package (and the CLI's other commands) never pay for Vega.
const render = (spec: TopLevelSpec): Effect.Effect<string> =>
  Effect.promise(async () => {
    const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")])
    const compiled = vegaLite.compile(spec).spec
    return new vega.View(vega.parse(compiled), { renderer: "none" }).toSVG()
  })

const font = { config: { font: "system-ui, sans-serif", view: { stroke: null } } } as const

/**
 * The charts' Vega-Lite specifications, by title.
 *
 * @since 0.2.0
 * @category charts
 */
export const charts = (results: Results): ReadonlyArray<{ readonly title: string; readonly spec: TopLevelSpec }> => {
  const primary = results.measures[0]
  const byMeasure = results.measures.map((measure) => ({
    title: `${measure} by system, with its 95% interval`,
    spec: {
      ...font,
      width: 420,
      height: { step: 28 },
      data: {
        values: results.systems.map((s) => ({
          system: s.name,
          mean: s.measures[measure].mean,
          low: s.measures[measure].low,
          high: s.measures[measure].high,
          label: `${s.name}: ${measure} ${fixed(s.measures[measure].mean)} [${fixed(s.measures[measure].low)}, ${fixed(s.measures[measure].high)}]`
        }))
      },
      encoding: {
        y: { field: "system", type: "nominal", sort: null, title: null },
        description: { field: "label", type: "nominal" }
      },
      layer: [
        {
          mark: { type: "bar", color: "#6b8fd6" },
          encoding: { x: { field: "mean", type: "quantitative", title: measure, scale: { domain: [0, 1] } } }
        },
        {
          mark: { type: "rule", color: "#1b2a4a", strokeWidth: 2 },
          encoding: { x: { field: "low", type: "quantitative" }, x2: { field: "high" } }
        }
      ]
    } as TopLevelSpec
  }))
  const firstStage = results.systems[0]
  const differences = results.systems.slice(1).map((system) => {
    const values = results.queries
      .map((query) => ({
        query,
        difference: system.perQuery[query][primary] - firstStage.perQuery[query][primary]
      }))
      .sort((a, b) => b.difference - a.difference)
      .map((v, i) => ({
        ...v,
        order: i,
        outcome: Math.abs(v.difference) < 1e-12 ? "tie" : v.difference > 0 ? "win" : "loss",
        label: `query ${v.query}: ${primary} ${v.difference >= 0 ? "+" : ""}${fixed(v.difference)}`
      }))
    return {
      title: `${system.name} against the first stage, query by query (${primary})`,
      spec: {
        ...font,
        width: 560,
        height: 180,
        data: { values },
        mark: { type: "bar" },
        encoding: {
          x: { field: "order", type: "ordinal", axis: null, title: "queries, best gain first" },
          y: { field: "difference", type: "quantitative", title: `${primary} difference` },
          color: {
            field: "outcome",
            type: "nominal",
            scale: { domain: ["win", "tie", "loss"], range: ["#2e8b57", "#9aa0a6", "#c0392b"] },
            title: null
          },
          description: { field: "label", type: "nominal" }
        }
      } as TopLevelSpec
    }
  })
  const tradeoff = (axis: "cost" | "latency") => {
    const values = results.systems.flatMap((s) => {
      const x = axis === "cost" ? (s.usage.cost ?? 0) : (s.latency?.p50 ?? 0)
      return [
        {
          system: s.name,
          x,
          y: s.measures[primary].mean,
          label: `${s.name}: ${primary} ${fixed(s.measures[primary].mean)} at ${axis === "cost" ? usd(s.usage.cost) : `${x} ms p50`}`
        }
      ]
    })
    return {
      title: `${primary} against ${axis === "cost" ? "cost (USD, the first stage at 0)" : "latency (p50 ms per query)"}`,
      spec: {
        ...font,
        width: 420,
        height: 220,
        data: { values },
        layer: [
          { mark: { type: "point", filled: true, size: 90, color: "#1b2a4a" } },
          { mark: { type: "text", align: "left", dx: 8, fontSize: 11 }, encoding: { text: { field: "system" } } }
        ],
        encoding: {
          x: { field: "x", type: "quantitative", title: axis === "cost" ? "USD" : "ms (p50)" },
          y: { field: "y", type: "quantitative", title: primary, scale: { zero: false } },
          description: { field: "label", type: "nominal" }
        }
      } as TopLevelSpec
    }
  }
  // Cost is drawn when some system has one: free systems alone would all sit at 0.
  const costed = results.systems.some((s) => s.usage.cost !== undefined && s.usage.cost > 0)
  return [...byMeasure, ...differences, ...(costed ? [tradeoff("cost")] : []), tradeoff("latency")]
}

const pValue = (p: number) => (p < 0.0001 ? "<0.0001" : p.toFixed(4))

/** The row of the table for one system: each measure with its interval, its comparison to the first stage. */
const row = (system: SystemResult, results: Results): Array<string> => {
  const vsFirst = results.comparisons.find(
    (c) => c.a === system.name && c.b === "first stage" && c.measure === results.measures[0]
  )
  return [
    system.name,
    ...results.measures.map((m) => {
      const i = system.measures[m]
      return `${fixed(i.mean)} [${fixed(i.low)}, ${fixed(i.high)}]`
    }),
    vsFirst === undefined ? "" : `${vsFirst.meanDifference >= 0 ? "+" : ""}${fixed(vsFirst.meanDifference)}`,
    vsFirst === undefined ? "" : pValue(vsFirst.tTest.adjusted),
    vsFirst === undefined ? "" : pValue(vsFirst.randomization.adjusted),
    system.kind === "first-stage" ? "" : String(system.usage.requests),
    system.kind === "first-stage" ? "" : usd(system.usage.cost),
    system.latency === undefined ? "" : `${system.latency.p50} / ${system.latency.p95}`
  ]
}

/**
 * The summary table's header and rows (the CLI prints it, the page shows it).
 *
 * @since 0.2.0
 * @category tables
 */
export const table = (results: Results): { readonly header: Array<string>; readonly rows: Array<Array<string>> } => ({
  header: [
    "system",
    ...results.measures.map((m) => `${m} [95% CI]`),
    `Δ ${results.measures[0]}`,
    "p t-test (Holm)",
    "p permutation (Holm)",
    "requests",
    "cost",
    "ms p50 / p95"
  ],
  rows: results.systems.map((s) => row(s, results))
})

const comparisonRows = (comparisons: ReadonlyArray<Comparison>) =>
  comparisons.map((c) =>
    [
      c.measure,
      `${c.a} vs ${c.b}`,
      `${c.meanDifference >= 0 ? "+" : ""}${fixed(c.meanDifference)}`,
      `${c.wins} / ${c.ties} / ${c.losses}`,
      `${pValue(c.tTest.p)} (${pValue(c.tTest.adjusted)})`,
      `${pValue(c.randomization.p)} (${pValue(c.randomization.adjusted)})`
    ]
      .map((cell) => `<td>${escapeHtml(cell)}</td>`)
      .join("")
  )

/**
 * The per-query CSV: one row per query and system, each measure, the latency.
 *
 * @since 0.2.0
 * @category formatting
 */
export const perQueryCsv = (results: Results): string => {
  const quote = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)
  const lines = [["query", "system", ...results.measures, "latency_ms"].join(",")]
  for (const query of results.queries) {
    for (const system of results.systems) {
      lines.push(
        [
          quote(query),
          quote(system.name),
          ...results.measures.map((m) => String(system.perQuery[query][m])),
          system.latencyPerQuery?.[query] === undefined ? "" : String(system.latencyPerQuery[query])
        ].join(",")
      )
    }
  }
  return lines.join("\n") + "\n"
}

/**
 * The page, with its charts rendered.
 *
 * @since 0.2.0
 * @category formatting
 */
export const html = (results: Results): Effect.Effect<string> =>
  Effect.gen(function* () {
    const rendered = yield* Effect.forEach(charts(results), ({ spec, title }) =>
      Effect.map(render(spec), (svg) => `<figure><figcaption>${escapeHtml(title)}</figcaption>${svg}</figure>`)
    )
    const { header, rows } = table(results)
    const cells = (values: ReadonlyArray<string>, tag: "td" | "th") =>
      values.map((v) => `<${tag}>${escapeHtml(v)}</${tag}>`).join("")
    // The data as JSON inside the page; `<` escaped so that no text of it can close the script element.
    const data = JSON.stringify(results).replace(/</g, "\\u003c")
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>rerank eval: ${escapeHtml(results.dataset)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1b2a4a; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #dde; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
figure { display: inline-block; margin: 1rem 1.5rem 1rem 0; vertical-align: top; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.note { color: #556; }
</style>
</head>
<body>
<h1>Which reranker for ${escapeHtml(results.dataset)}?</h1>
<p class="note">${results.queries.length} queries, the first stage's top ${results.depth} reranked; intervals are 95% bootstrap intervals of the mean; p-values are two-sided, paired, Holm-adjusted across the comparisons of a measure (permutation test: ${results.trials} draws, seed ${results.seed}).</p>
<table id="summary"><thead><tr>${cells(header, "th")}</tr></thead><tbody>
${rows.map((r) => `<tr>${cells(r, "td")}</tr>`).join("\n")}
</tbody></table>
<h2>Charts</h2>
${rendered.join("\n")}
<h2>Every comparison</h2>
<table id="comparisons"><thead><tr><th>measure</th><th>systems</th><th>Δ mean</th><th>wins / ties / losses</th><th>p t-test (Holm)</th><th>p permutation (Holm)</th></tr></thead><tbody>
${comparisonRows(results.comparisons)
  .map((r) => `<tr>${r}</tr>`)
  .join("\n")}
</tbody></table>
<script type="application/json" id="results">${data}</script>
</body>
</html>
`
  })

/**
 * Writes `report.html`, `results.json` and `per-query.csv` into `dir` (made if needed).
 *
 * @since 0.2.0
 * @category writing
 */
export const write = (dir: string, results: Results) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    yield* fs.makeDirectory(dir, { recursive: true })
    yield* fs.writeFileString(path.join(dir, "results.json"), JSON.stringify(results, null, 2) + "\n")
    yield* fs.writeFileString(path.join(dir, "per-query.csv"), perQueryCsv(results))
    yield* fs.writeFileString(path.join(dir, "report.html"), yield* html(results))
  })
