/**
 * @since 0.2.0
 */

/**
 * Text to stemmed, stopword-free terms.
 *
 * @since 0.2.0
 */
export * as Analyzer from "./Analyzer.js"

/**
 * Fixed corpus statistics for term weighting.
 *
 * @since 0.2.0
 */
export * as CorpusStats from "./CorpusStats.js"

/**
 * The offline BM25 reranker.
 *
 * @since 0.2.0
 */
export * as LocalReranker from "./LocalReranker.js"
