/**
 * The providers the CLI can use (`query --provider`, `serve --upstream`), derived from `@effect-rerank/http`'s
 * `Registry`: their names as choices, what each needs in the environment (for the help), and the names a message
 * should use for their options (the CLI's flag, or the provider's own variable), so that a configuration error never
 * points at something a user of the CLI cannot set.
 *
 * @since 0.2.0
 */
import type { Batching, Billing, Quota, ScoreCache } from "@effect-rerank/core"
import { Registry } from "@effect-rerank/http"
import type * as Config from "effect/Config"

/**
 * What every HTTP provider's `layerConfig` takes from the flags.
 *
 * @since 0.2.0
 * @category models
 */
export interface Flags {
  readonly maxDocumentsPerRequest?: Config.Config<number>
  /** A gateway's budget of upstream requests per call (`--max-upstream-calls`). */
  readonly maxWindows?: Config.Config<number>
  readonly concurrency: Config.Config<number>
  readonly merge: Config.Config<Batching.Merge>
  readonly allowInsecureHttp: Config.Config<boolean>
  readonly baseUrl?: Config.Config<string>
  readonly model?: Config.Config<string>
  readonly rateLimit?: Config.Config<Quota.Options>
  readonly cache?: Config.Config<ScoreCache.Options>
  readonly prices?: Config.Config<Billing.Prices>
  readonly instructionMode?: Config.Config<"native" | "prepend">
}

/**
 * The providers of the registry, by name.
 *
 * @since 0.2.0
 * @category constructors
 */
export const byName = (providers: ReadonlyArray<Registry.Entry>, name: string): Registry.Entry | undefined =>
  providers.find((entry) => entry.name === name)

/**
 * `name: WHAT_IT_NEEDS` for each provider, for a flag's help.
 *
 * @since 0.2.0
 * @category utils
 */
export const help = (providers: ReadonlyArray<Registry.Entry>): string =>
  providers.map((entry) => `${entry.name} (${Registry.requirements(entry)})`).join(", ")

/**
 * A library option's name (its `ConfigError` path, or an `InvalidRequestError` field) as the CLI says it.
 *
 * @since 0.2.0
 * @category models
 */
export type Names = Readonly<Record<string, string>>

/**
 * What the flags set, whichever provider (`--base-url` is the query command's; `serve` says `--upstream-url`).
 *
 * @since 0.2.0
 * @category constants
 */
export const flagNames: Names = {
  maxDocumentsPerRequest: "--batch-size",
  maxWindows: "--max-upstream-calls",
  "chunk.size": "--chunk-size",
  instruction: "--instruction",
  instructionMode: "--instruction-mode",
  "chunk.overlap": "--chunk-overlap",
  concurrency: "--concurrency",
  merge: "--merge",
  allowInsecureHttp: "--allow-insecure-http",
  model: "--model",
  topN: "--top-n",
  minScore: "--min-score",
  apiVersion: "--api-version"
}

/**
 * A provider's names: the flags, then its own variables for the key, the base URL and the rest.
 *
 * @since 0.2.0
 * @category constructors
 */
export const namesOf = (entry: Registry.Entry, baseUrlFlag = "--base-url"): Names => {
  const environment = Registry.environmentOf(entry)
  return {
    ...flagNames,
    ...environment,
    baseUrl: environment.baseUrl === undefined ? baseUrlFlag : `${baseUrlFlag} (or ${environment.baseUrl})`
  }
}
