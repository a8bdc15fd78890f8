import { Fusion } from "@effect-rerank/rrf"
import { Either } from "effect"
import { expect, it } from "vitest"
import { describeConformance, readConformanceJson } from "../../../test-utils/Conformance.js"

type Run = Record<string, Record<string, number>>
interface Case {
  readonly call: string
  readonly inputs: Record<string, Run>
  readonly expected: Run
}

/**
 * The `call` strings in the file show each ranx test's first call; the expected values are from its last one, whose
 * parameters are here (from ranx v0.3.20 tests/unit/ranx/fusion/*_test.py; logn_isr's sigma is solved from the
 * expected values: ln(2 + sigma) = 0.8243748 / 1.1111).
 */
const parameters: Record<string, Pick<Fusion.Options<unknown>, "method" | "weights" | "sigma">> = {
  bordafuse: { method: "bordafuse" },
  comb_anz: { method: "combanz" },
  comb_max: { method: "combmax" },
  comb_med: { method: "combmed" },
  comb_min: { method: "combmin" },
  comb_mnz: { method: "combmnz" },
  comb_sum: { method: "combsum" },
  condorcet: { method: "condorcet" },
  isr: { method: "isr" },
  log_isr: { method: "log-isr" },
  logn_isr: { method: "logn-isr", sigma: 0.1 },
  mixed: { method: "mixed", weights: [0.3, 0.2, 0.5] },
  rrf: { method: "rrf" },
  weighted_bordafuse: { method: "bordafuse", weights: [3, 2, 1] },
  weighted_condorcet: { method: "condorcet", weights: [1, 5, 2] },
  wmnz: { method: "wmnz", weights: [0.3, 0.2, 0.5] },
  wsum: { method: "wsum", weights: [0.3, 0.2, 0.5] }
}

// ranx ranks a run by score, highest first.
const toRanking = (scores: Record<string, number>) =>
  Object.entries(scores)
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score)

describeConformance("ranx fusion conformance", () => {
  const cases = readConformanceJson<Record<string, Case>>("fusion/ranx_fusion_expected.json")

  it("has parameters for every case in the file", () => {
    for (const name of Object.keys(cases)) expect(parameters).toHaveProperty(name.split("::")[0])
  })

  for (const [name, testCase] of Object.entries(cases)) {
    it(name, () => {
      const params = parameters[name.split("::")[0]]
      const runs = Object.keys(testCase.inputs)
        .sort()
        .map((run) => testCase.inputs[run])
      const queries = Object.keys(runs[0])
      for (const query of queries) {
        const fused = Either.getOrThrow(
          Fusion.fuse(
            runs.map((run) => toRanking(run[query] ?? {})),
            { ...params, key: (hit) => hit.id, score: (hit) => hit.score }
          )
        )
        const expected = testCase.expected[query] ?? {}
        expect(fused.map((f) => f.key).sort()).toEqual(Object.keys(expected).sort())
        for (const f of fused) expect(f.score).toBeCloseTo(expected[f.key as string], 6)
      }
    })
  }
})
