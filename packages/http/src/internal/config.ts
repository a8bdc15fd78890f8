/**
 * `layerConfig` support shared by the providers: options given as `Config`s, read in one go.
 */
import * as Config from "effect/Config"

/** `Config.unwrap`, which fails on an empty object (effect 3.22 indexes its first entry), made total. */
export const unwrap = <A>(options: Config.Config.Wrap<A>): Config.Config<A> =>
  Config.isConfig(options) || Object.keys(options).length > 0
    ? Config.unwrap(options)
    : (Config.succeed({}) as Config.Config<A>)
