/**
 * The Vaswani (NPL) collection in BEIR layout, with its BM25 top-100 first stage, read from the shared
 * conformance folder.
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"

/**
 * @since 0.2.0
 * @category models
 */
export interface Candidate {
  readonly id: string
  readonly text: string
  /** The first stage's BM25 score. */
  readonly bm25: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Collection {
  /** Document id -> text. */
  readonly corpus: ReadonlyMap<string, string>
  readonly queries: ReadonlyMap<string, string>
  readonly qrels: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** Query id -> BM25 top 100, best first. */
  readonly candidates: ReadonlyMap<string, ReadonlyArray<Candidate>>
}

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "")

/**
 * Loads `datasets/vaswani` under `dir` (the conformance folder).
 *
 * @since 0.2.0
 * @category loading
 */
export const load = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const read = (file: string) => fs.readFileString(path.join(dir, "datasets", "vaswani", file))

    const corpus = new Map<string, string>()
    for (const line of lines(yield* read("corpus.jsonl"))) {
      const doc = JSON.parse(line) as { _id: string; title?: string; text: string }
      corpus.set(doc._id, [doc.title, doc.text].filter((part) => part !== undefined && part !== "").join(" "))
    }
    const queries = new Map<string, string>()
    for (const line of lines(yield* read("queries.jsonl"))) {
      const query = JSON.parse(line) as { _id: string; text: string }
      queries.set(query._id, query.text)
    }
    const qrels = new Map<string, Map<string, number>>()
    for (const line of lines(yield* read("qrels/test.tsv")).slice(1)) {
      const [query, doc, score] = line.split("\t")
      const judged = qrels.get(query) ?? new Map<string, number>()
      judged.set(doc, Number(score))
      qrels.set(query, judged)
    }
    const candidates = new Map<string, Array<Candidate & { rank: number }>>()
    for (const line of lines(yield* read("runs/bm25_top100.trec"))) {
      const [query, , doc, rank, score] = line.trim().split(/\s+/)
      const list = candidates.get(query) ?? []
      list.push({ id: doc, text: corpus.get(doc) ?? "", bm25: Number(score), rank: Number(rank) })
      candidates.set(query, list)
    }
    for (const list of candidates.values()) list.sort((a, b) => a.rank - b.rank)
    return { corpus, queries, qrels, candidates } satisfies Collection
  })
