/**
 * `pnpm docs:plots`: the bench figures as charts, Vega-Lite specifications rendered to SVG by Vega, from the results
 * the benches write with `BENCH_RESULTS=bench/results` (`pnpm bench:client`, `pnpm bench:fleet`, `pnpm eval:merge`),
 * into docs/images/ beside the pages that show them. A results file that is absent leaves its chart as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as vega from "vega"
import * as vegaLite from "vega-lite"

const root = fileURLToPath(new URL("../", import.meta.url))
const results = `${root}bench/results`
export const images = `${root}docs/images`
const config = { font: "system-ui, sans-serif", view: { stroke: null } }

export const render = async (spec: vegaLite.TopLevelSpec) =>
  new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" }).toSVG()

export const read = (name: string) =>
  existsSync(`${results}/${name}.json`) ? JSON.parse(readFileSync(`${results}/${name}.json`, "utf8")) : undefined

/** Each client's p50 and calls/s at concurrency 16 as ratios to the raw fetch floor of the same run. */
export const clientSpec = (data: any): vegaLite.TopLevelSpec => {
  const floor = data.medians.floor
  // The rounds' median ratios where the run kept them (each round against its own floor), else ratios of medians.
  type Figures = { p50: number; perSecond: number; ratios?: { p50: number; perSecond: number } }
  const values = Object.entries(data.medians as Record<string, Figures>)
    .filter(([name]) => name !== "floor")
    .flatMap(([client, f]) => [
      { client, figure: "p50 latency (lower is better)", ratio: f.ratios?.p50 ?? f.p50 / floor.p50 },
      {
        client,
        figure: "calls/s at concurrency 16 (higher is better)",
        ratio: f.ratios?.perSecond ?? f.perSecond / floor.perSecond
      }
    ])
  return {
    config,
    title: `bench:client, ratio to raw fetch (medians of ${data.rounds} rounds; ${data.measured.slice(0, 10)})`,
    data: { values },
    facet: { column: { field: "figure", type: "nominal", title: null } },
    spec: {
      width: 260,
      height: { step: 22 },
      layer: [
        {
          mark: { type: "bar", color: "#6b8fd6" },
          encoding: {
            y: { field: "client", type: "nominal", title: null, sort: null },
            x: { field: "ratio", type: "quantitative", title: "x the floor" },
            description: { field: "client", type: "nominal" }
          }
        },
        { mark: { type: "rule", color: "#c0392b" }, encoding: { x: { datum: 1 } } }
      ]
    }
  } as vegaLite.TopLevelSpec
}

/** The fleet with and without the shared quota: the 429s the upstream sent, the throughput against R. */
export const fleetSpec = (data: any): vegaLite.TopLevelSpec => {
  const values = (data.phases as Array<any>).flatMap((p) => [
    { phase: p.name, figure: "429s the upstream answered", value: p.rejected },
    { phase: p.name, figure: `completed calls/s, % of R = ${data.rate}/s`, value: (100 * p.ok) / p.elapsed / data.rate }
  ])
  return {
    config,
    title: `bench:fleet, ${data.workers} workers x ${data.count} calls on one key (${data.measured.slice(0, 10)})`,
    data: { values },
    facet: { column: { field: "figure", type: "nominal", title: null } },
    spec: {
      width: 240,
      height: { step: 26 },
      mark: { type: "bar", color: "#6b8fd6" },
      encoding: {
        y: { field: "phase", type: "nominal", title: null },
        x: { field: "value", type: "quantitative", title: null }
      }
    },
    resolve: { scale: { x: "independent" } }
  } as vegaLite.TopLevelSpec
}

/** nDCG@10 of one unbatched call, score merge and RRF merge of random windows, seed by seed. */
export const mergeSpec = (data: any): vegaLite.TopLevelSpec => ({
  config,
  title: `eval:merge, Vaswani nDCG@10, windows of 25 at random (${data.measured.slice(0, 10)})`,
  width: 420,
  height: 200,
  data: {
    values: (data.seeds as Array<any>).flatMap((s) => [
      { seed: String(s.seed), merge: "unbatched", ndcg: s.unbatched },
      { seed: String(s.seed), merge: "score merge", ndcg: s.score },
      { seed: String(s.seed), merge: "RRF merge", ndcg: s.rrf }
    ])
  },
  mark: { type: "point", filled: true, size: 70 },
  encoding: {
    x: { field: "seed", type: "nominal", sort: null },
    y: { field: "ndcg", type: "quantitative", scale: { zero: false }, title: "nDCG@10" },
    color: { field: "merge", type: "nominal", title: null },
    shape: { field: "merge", type: "nominal" }
  }
})

export const charts: ReadonlyArray<readonly [string, string, (data: any) => vegaLite.TopLevelSpec]> = [
  ["client", "bench-client.svg", clientSpec],
  ["fleet", "bench-fleet.svg", fleetSpec],
  ["merge", "merge.svg", mergeSpec]
]

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, file, spec] of charts) {
    const data = read(name)
    if (data === undefined) {
      console.log(`docs:plots: no bench/results/${name}.json; docs/images/${file} left as it is`)
      continue
    }
    writeFileSync(`${images}/${file}`, (await render(spec(data))) + "\n")
    console.log(`docs:plots: docs/images/${file} from bench/results/${name}.json`)
  }
}
