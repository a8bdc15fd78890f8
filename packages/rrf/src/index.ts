/**
 * @since 0.1.1
 */

/**
 * Rank fusion over several rankings of overlapping items: RRF, the CombSUM family, ISR, BordaFuse, Condorcet.
 *
 * @since 0.1.1
 */
export * as Fusion from "./Fusion.js"

/**
 * The error fusion returns for inputs with no meaningful answer.
 *
 * @since 0.1.1
 */
export * as FusionError from "./FusionError.js"

/**
 * Score normalizations applied before score-based fusion.
 *
 * @since 0.1.1
 */
export * as Normalization from "./Normalization.js"
