/**
 * TREC's text formats: qrels (`qid iter docno rel`), runs (`qid Q0 docno rank score tag`) and topics (`qid<TAB>text`,
 * or TREC's SGML `<top>` blocks with `<num>` and `<title>`), as trec_eval and the TREC tracks write them. A line that
 * does not parse fails with its line number; nothing is skipped silently.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import type * as Metrics from "./Metrics.js"

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line !== "" && !line.startsWith("#"))

const where = (file: string, number: number) => `${file} line ${number}`

/**
 * Qrels from their text: four fields a line, the judgment an integer (negative: in the pool, not judged).
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseQrels = (text: string, file = "qrels"): Either.Either<Metrics.Qrels, string> => {
  const qrels = new Map<string, Map<string, number>>()
  for (const { line, number } of lines(text)) {
    const fields = line.split(/\s+/)
    if (fields.length !== 4) return Either.left(`${where(file, number)}: expected "qid iter docno relevance"`)
    const [query, , doc, rel] = fields
    const relevance = Number(rel)
    if (!Number.isInteger(relevance)) {
      return Either.left(`${where(file, number)}: the relevance must be an integer`)
    }
    const judged = qrels.get(query) ?? new Map<string, number>()
    if (judged.has(doc)) return Either.left(`${where(file, number)}: ${doc} is judged twice for query ${query}`)
    judged.set(doc, relevance)
    qrels.set(query, judged)
  }
  return Either.right(qrels)
}

/**
 * A run from its text: six fields a line, anything after them ignored (the rank column too, as trec_eval ignores it:
 * the score orders).
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseRun = (text: string, file = "run"): Either.Either<Metrics.Run, string> => {
  const run = new Map<string, Map<string, number>>()
  for (const { line, number } of lines(text)) {
    const fields = line.split(/\s+/)
    // trec_eval reads six fields and ignores anything after them.
    if (fields.length < 5) {
      return Either.left(`${where(file, number)}: expected "qid Q0 docno rank score tag"`)
    }
    const [query, , doc, , score] = fields
    const value = Number(score)
    if (!Number.isFinite(value)) return Either.left(`${where(file, number)}: the score must be a number`)
    const ranked = run.get(query) ?? new Map<string, number>()
    if (ranked.has(doc)) return Either.left(`${where(file, number)}: ${doc} appears twice for query ${query}`)
    ranked.set(doc, value)
    run.set(query, ranked)
  }
  return Either.right(run)
}

/**
 * A run as text, each query's documents in trec_eval's order with their ranks.
 *
 * @since 0.2.0
 * @category formatting
 */
export const formatRun = (
  run: Metrics.Run,
  tag: string,
  order: (scores: ReadonlyMap<string, number>) => Array<string>
) =>
  [...run.keys()]
    .sort()
    .flatMap((query) => {
      const scores = run.get(query)!
      return order(scores).map((doc, i) => `${query} Q0 ${doc} ${i + 1} ${scores.get(doc)} ${tag}`)
    })
    .join("\n") + "\n"

/**
 * Topics: `qid<TAB>text` lines (TSV, as ir_datasets writes them), or TREC's `<top>` blocks (`<num> Number: 301`,
 * `<title> ...`).
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseTopics = (text: string, file = "topics"): Either.Either<ReadonlyMap<string, string>, string> => {
  const topics = new Map<string, string>()
  if (/<top>/i.test(text)) {
    for (const block of text.split(/<\/top>/i)) {
      const num = /<num>\s*(?:Number:)?\s*(\S+)/i.exec(block)
      const title = /<title>\s*(?:Topic:)?\s*([\s\S]*?)(?=<\w+>|$)/i.exec(block)
      if (num === null) continue
      if (title === null || title[1].trim() === "") return Either.left(`${file}: topic ${num[1]} has no <title>`)
      topics.set(num[1], title[1].replace(/\s+/g, " ").trim())
    }
    return Either.right(topics)
  }
  for (const { line, number } of lines(text)) {
    const tab = line.indexOf("\t")
    if (tab < 0) return Either.left(`${where(file, number)}: expected "qid<TAB>text"`)
    topics.set(line.slice(0, tab), line.slice(tab + 1).trim())
  }
  return Either.right(topics)
}
