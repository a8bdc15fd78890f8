/**
 * Datasets in the formats users have: a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`) with a
 * first-stage run in TREC format, or TREC files (topics, qrels, a run) with the documents' texts (BEIR's
 * `corpus.jsonl`, or `id<TAB>text` lines). What does not parse fails with the file and line.
 *
 * @since 0.2.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { EvaluationError, type Dataset } from "./Evaluation.js"
import type * as Metrics from "./Metrics.js"
import * as Trec from "./Trec.js"

const read = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.mapError(fs.readFileString(file), () => new EvaluationError({ reason: `cannot read ${file}` }))
  )

const parsed = <A>(result: Either.Either<A, string>) =>
  Either.mapLeft(result, (reason) => new EvaluationError({ reason }))

const jsonLines = (text: string, file: string) =>
  Either.gen(function* () {
    const records: Array<Record<string, unknown>> = []
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      if (line.trim() === "") continue
      try {
        const record = JSON.parse(line)
        if (typeof record !== "object" || record === null || typeof record._id !== "string") throw new Error()
        records.push(record)
      } catch {
        return yield* Either.left(`${file} line ${i + 1}: expected a JSON object with an "_id"`)
      }
    }
    return records
  })

/** BEIR's corpus: each document's title and text, the title first. */
const beirCorpus = (text: string, file: string) =>
  Either.map(
    jsonLines(text, file),
    (records) =>
      new Map(
        records.map((r) => [
          r._id as string,
          [r.title, r.text].filter((part) => typeof part === "string" && part !== "").join(" ")
        ])
      )
  )

/** A corpus file: BEIR's JSON lines, or `id<TAB>text` lines. */
const corpusOf = (text: string, file: string): Either.Either<Map<string, string>, string> => {
  if (file.endsWith(".jsonl") || text.trimStart().startsWith("{")) return beirCorpus(text, file)
  const corpus = new Map<string, string>()
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue
    const tab = line.indexOf("\t")
    if (tab < 0) return Either.left(`${file} line ${i + 1}: expected "id<TAB>text"`)
    corpus.set(line.slice(0, tab), line.slice(tab + 1))
  }
  return Either.right(corpus)
}

/** BEIR's qrels TSV: a header (`query-id corpus-id score`), then one judgment a line. */
const beirQrels = (text: string, file: string): Either.Either<Metrics.Qrels, string> => {
  const qrels = new Map<string, Map<string, number>>()
  const rows = text.split(/\r?\n/)
  for (const [i, line] of rows.entries()) {
    if (line.trim() === "" || (i === 0 && /query/i.test(line))) continue
    const [query, doc, score] = line.split("\t")
    const relevance = Number(score)
    if (doc === undefined || !Number.isInteger(relevance)) {
      return Either.left(`${file} line ${i + 1}: expected "query-id<TAB>corpus-id<TAB>score"`)
    }
    const judged = qrels.get(query) ?? new Map<string, number>()
    judged.set(doc, relevance)
    qrels.set(query, judged)
  }
  return Either.right(qrels)
}

/**
 * A BEIR folder, with the first stage from `run` (a TREC run), or the one `.trec` file in the folder's `runs/`.
 *
 * @since 0.2.0
 * @category loading
 */
export const fromBeir = (
  dir: string,
  options: { readonly split?: string | undefined; readonly run?: string | undefined } = {}
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const file = (...parts: Array<string>) => path.join(dir, ...parts)
    const split = options.split ?? "test"
    let runFile = options.run
    if (runFile === undefined) {
      const runs = yield* fs.readDirectory(file("runs")).pipe(Effect.orElseSucceed(() => [] as Array<string>))
      const trec = runs.filter((name) => name.endsWith(".trec") || name.endsWith(".run"))
      if (trec.length !== 1) {
        return yield* new EvaluationError({
          reason: `a first-stage run is needed: give --run <file> (a TREC run of ${dir}'s queries)${trec.length > 1 ? `; ${file("runs")} has ${trec.length}` : ""}`
        })
      }
      runFile = file("runs", trec[0])
    }
    const corpusFile = file("corpus.jsonl")
    const queriesFile = file("queries.jsonl")
    const qrelsFile = file("qrels", `${split}.tsv`)
    const corpus = yield* parsed(beirCorpus(yield* read(corpusFile), corpusFile))
    const queries = yield* parsed(
      Either.map(
        jsonLines(yield* read(queriesFile), queriesFile),
        (records) => new Map(records.map((r) => [r._id as string, String(r.text ?? "")]))
      )
    )
    const qrels = yield* parsed(beirQrels(yield* read(qrelsFile), qrelsFile))
    const firstStage = yield* parsed(Trec.parseRun(yield* read(runFile), runFile))
    return { name: path.basename(path.resolve(dir)), queries, corpus, qrels, firstStage } satisfies Dataset
  })

/**
 * TREC files: topics, qrels, a first-stage run, and the documents' texts.
 *
 * @since 0.2.0
 * @category loading
 */
export const fromTrec = (files: {
  readonly topics: string
  readonly qrels: string
  readonly run: string
  readonly corpus: string
}) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const queries = yield* parsed(Trec.parseTopics(yield* read(files.topics), files.topics))
    const qrels = yield* parsed(Trec.parseQrels(yield* read(files.qrels), files.qrels))
    const firstStage = yield* parsed(Trec.parseRun(yield* read(files.run), files.run))
    const corpus = yield* parsed(corpusOf(yield* read(files.corpus), files.corpus))
    return { name: path.basename(files.run), queries, corpus, qrels, firstStage } satisfies Dataset
  })
