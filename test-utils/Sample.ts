/** The product's known scenario, read from `examples/`: a query and five candidate documents. */
import { readFileSync } from "node:fs"

const read = (name: string) => readFileSync(new URL(`../examples/${name}`, import.meta.url), "utf8")

export const query: string = read("capital-query.txt").trim()

export const documents: ReadonlyArray<string> = read("capital-documents.txt")
  .split("\n")
  .filter((line) => line.trim() !== "")

/** Index of "Washington, D.C. ... is the capital of the United States." */
export const best = 3
