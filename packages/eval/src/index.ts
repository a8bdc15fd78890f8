/**
 * @since 0.2.0
 */

/**
 * nDCG@k.
 *
 * @since 0.2.0
 */
export * as Ndcg from "./Ndcg.js"

/**
 * The Vaswani collection loader.
 *
 * @since 0.2.0
 */
export * as Vaswani from "./Vaswani.js"

/**
 * The shared conformance folder's location.
 *
 * @since 0.2.0
 */
export * as Conformance from "./Conformance.js"

/**
 * The batching merge measurement.
 *
 * @since 0.2.0
 */
export * as MergeEval from "./MergeEval.js"

/**
 * The local reranker measurement.
 *
 * @since 0.2.0
 */
export * as LocalEval from "./LocalEval.js"

/**
 * @since 0.2.0
 */
export * as LongEval from "./LongEval.js"

/**
 * IR measures as trec_eval computes them.
 *
 * @since 0.2.0
 */
export * as Metrics from "./Metrics.js"

/**
 * TREC's qrels, run and topics formats.
 *
 * @since 0.2.0
 */
export * as Trec from "./Trec.js"

/**
 * Paired significance tests, Holm's correction and bootstrap intervals.
 *
 * @since 0.2.0
 */
export * as Significance from "./Significance.js"

/**
 * `rerank eval`'s engine: rerankers over a dataset, measured, compared, costed.
 *
 * @since 0.2.0
 */
export * as Evaluation from "./Evaluation.js"

/**
 * BEIR folders and TREC files as an evaluation's dataset.
 *
 * @since 0.2.0
 */
export * as Datasets from "./Datasets.js"

/**
 * An evaluation's report: results.json, per-query.csv and a self-contained report.html with Vega-Lite charts.
 *
 * @since 0.2.0
 */
export * as Report from "./Report.js"
