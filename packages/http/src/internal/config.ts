/**
 * `layerConfig` support shared by the providers: options given as `Config`s, read in one go, and the key and base URL
 * from the provider's variables when not given.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** `Config.unwrap`, which fails on an empty object (effect 3.22 indexes its first entry), made total. */
export const unwrap = <A>(options: Config.Config.Wrap<A>): Config.Config<A> =>
  Config.isConfig(options) || Object.keys(options).length > 0
    ? Config.unwrap(options)
    : (Config.succeed({}) as Config.Config<A>)

export interface Variables {
  /** Where the key is read from, first found wins (`COHERE_API_KEY`, then `CO_API_KEY`). */
  readonly key: readonly [string, ...Array<string>]
  /** Hosted APIs need a key; self-hosted servers may run without one. */
  readonly keyRequired: boolean
  /** What the key is, for messages: "a Cohere API key". */
  readonly keyName: string
  /** The base URL's variable (`COHERE_BASE_URL`), where there is one. */
  readonly baseUrl?: string | undefined
}

/** The key from the first variable set; a set but empty one is an error naming it, never echoing a value. */
export const apiKeyConfig = (variables: Variables): Config.Config<Redacted.Redacted<string>> => {
  const [first, ...rest] = variables.key
  const read = (name: string) =>
    Config.redacted(name).pipe(
      Config.mapOrFail((key) =>
        Redacted.value(key).trim() === ""
          ? Either.left(ConfigError.InvalidData([name], `${name} is empty: set it to ${variables.keyName}`))
          : Either.right(key)
      )
    )
  return rest.reduce((config, name) => Config.orElse(config, () => read(name)), read(first))
}

const missingKey = (variables: Variables) => (error: ConfigError.ConfigError) => {
  const [first, ...rest] = variables.key
  return ConfigError.isMissingDataOnly(error)
    ? ConfigError.MissingData(
        [first],
        `Set ${first}${rest.length === 0 ? "" : ` (or ${rest.join(", ")})`} to ${variables.keyName}; no key was found in the environment`
      )
    : error
}

export const baseUrlConfig = (variables: Variables): Config.Config<Option.Option<string>> =>
  variables.baseUrl === undefined
    ? Config.succeed(Option.none())
    : Config.option(Config.nonEmptyString(variables.baseUrl))

export type ConfigOptions<O extends { readonly apiKey?: unknown; readonly baseUrl?: unknown }> = Config.Config.Wrap<
  Omit<O, "apiKey" | "baseUrl"> & {
    readonly apiKey?: Redacted.Redacted<string> | undefined
    readonly baseUrl?: string | undefined
  }
>

/** The options read from `Config`, the key and base URL from the environment unless given. */
export const resolve = <
  O extends { readonly apiKey?: Redacted.Redacted<string> | undefined; readonly baseUrl?: string | undefined }
>(
  variables: Variables,
  options: ConfigOptions<O>
): Effect.Effect<O, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const given = (yield* unwrap(options)) as Omit<O, "apiKey" | "baseUrl"> & {
      apiKey?: Redacted.Redacted<string> | undefined
      baseUrl?: string | undefined
    }
    const apiKey =
      given.apiKey ??
      (variables.keyRequired
        ? yield* Effect.mapError(apiKeyConfig(variables), missingKey(variables))
        : Option.getOrUndefined(yield* Config.option(apiKeyConfig(variables))))
    const baseUrl = given.baseUrl ?? Option.getOrUndefined(yield* baseUrlConfig(variables))
    return { ...given, apiKey, baseUrl } as unknown as O
  })
