/**
 * The bench charts in docs/images are what `pnpm docs:plots` draws from the committed figures in bench/results: a
 * chart edited by hand, or figures updated without their chart, fails here.
 */
import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import * as Plots from "../../scripts/plots.js"

describe("the bench charts", () => {
  for (const [name, file, spec] of Plots.charts) {
    it(`docs/images/${file} is drawn from bench/results/${name}.json`, async () => {
      const data = Plots.read(name)
      expect(data, `bench/results/${name}.json`).toBeDefined()
      const drawn = (await Plots.render(spec(data))) + "\n"
      expect(readFileSync(`${Plots.images}/${file}`, "utf8")).toBe(drawn)
    })
  }
})
