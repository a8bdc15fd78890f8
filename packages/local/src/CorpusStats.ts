/**
 * Collection statistics for term weighting: document frequency of each term and the average document length, in
 * terms. Computed once from your corpus (or a sample of it) and then fixed, so the local reranker's scores stay
 * pointwise: a document scores the same whatever else is in the request.
 *
 * @since 0.2.0
 */
import * as Analyzer from "./Analyzer.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface CorpusStats {
  readonly documents: number
  readonly averageLength: number
  readonly documentFrequency: ReadonlyMap<string, number>
}

/**
 * Statistics of a corpus given as texts.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromTexts = (texts: Iterable<string>): CorpusStats => {
  const analyzer = Analyzer.make()
  const documentFrequency = new Map<string, number>()
  let documents = 0
  let totalLength = 0
  for (const text of texts) {
    const terms = analyzer.terms(text)
    documents++
    totalLength += terms.length
    for (const term of new Set(terms)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1)
  }
  return { documents, averageLength: documents === 0 ? 0 : totalLength / documents, documentFrequency }
}

/**
 * BM25's inverse document frequency, ln(1 + (N - df + 0.5) / (df + 0.5)): always positive, highest for rare terms.
 * A term never seen in the corpus gets the weight of a term seen once.
 *
 * @since 0.2.0
 * @category weighting
 */
export const idf = (stats: CorpusStats, term: string): number => {
  const df = Math.max(1, stats.documentFrequency.get(term) ?? 0)
  return Math.log(1 + (stats.documents - df + 0.5) / (df + 0.5))
}
