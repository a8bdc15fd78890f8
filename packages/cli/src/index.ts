/**
 * @since 0.2.0
 */

/**
 * Failures and exit codes.
 *
 * @since 0.2.0
 */
export * as CliError from "./CliError.js"

/**
 * The commands.
 *
 * @since 0.2.0
 */
export * as Commands from "./Commands.js"

/**
 * `rerank query`.
 *
 * @since 0.2.0
 */
export * as QueryCommand from "./QueryCommand.js"

/**
 * `rerank serve`.
 *
 * @since 0.2.0
 */
export * as ServeCommand from "./ServeCommand.js"

/**
 * `rerank fuse`.
 *
 * @since 0.2.0
 */
export * as FuseCommand from "./FuseCommand.js"

/**
 * Reading documents.
 *
 * @since 0.2.0
 */
export * as Documents from "./Documents.js"

/**
 * Printing results.
 *
 * @since 0.2.0
 */
export * as Output from "./Output.js"

/**
 * Reading ranked lists.
 *
 * @since 0.2.0
 */
export * as Runs from "./Runs.js"
