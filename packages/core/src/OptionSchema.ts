/**
 * One vocabulary for the options of every layer: a few `effect/Schema`s whose messages complete "<option> ...", and
 * one decoder that turns the first problem into a `ConfigError` naming the option by its path (`retry.maxRetries`).
 * The core's options, every HTTP provider's, the local reranker's and the CLI's flags are all checked through it,
 * so the same mistake reads the same way everywhere.
 *
 * @since 0.2.0
 */
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** The refused value as the user wrote it: strings bare (quoted when blank), durations formatted. */
const shown = (value: unknown): string =>
  typeof value === "string"
    ? value.trim() === ""
      ? JSON.stringify(value)
      : value
    : Duration.isDuration(value)
      ? Duration.format(value)
      : String(value)

/** A value that passes `is`, else the message naming what it must be and what it was. */
const checked = <A>(is: (u: unknown) => u is A, mustBe: string) =>
  Schema.declare(is, { message: (issue) => `must be ${mustBe}, got ${shown(issue.actual)}` })

/**
 * An integer >= 1: counts, sizes, limits.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PositiveInt: Schema.Schema<number> = checked(
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 1,
  "an integer >= 1"
)

/**
 * An integer >= 0.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NonNegativeInt: Schema.Schema<number> = checked(
  (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= 0,
  "an integer >= 0"
)

/**
 * An integer from `min` to `max`, both included.
 *
 * @since 0.2.0
 * @category schemas
 */
export const integerFrom = (min: number, max: number): Schema.Schema<number> =>
  checked(
    (u): u is number => typeof u === "number" && Number.isInteger(u) && u >= min && u <= max,
    `an integer from ${min} to ${max}`
  )

/**
 * A string matching `pattern`, described as `mustBe` ("an AWS region such as us-west-2").
 *
 * @since 0.2.0
 * @category schemas
 */
export const matching = (pattern: RegExp, mustBe: string): Schema.Schema<string> =>
  checked((u): u is string => typeof u === "string" && pattern.test(u), mustBe)

/**
 * A finite number >= 0.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NonNegativeNumber: Schema.Schema<number> = checked(
  (u): u is number => typeof u === "number" && Number.isFinite(u) && u >= 0,
  "a finite number >= 0"
)

/**
 * A finite number > 0.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PositiveNumber: Schema.Schema<number> = checked(
  (u): u is number => typeof u === "number" && Number.isFinite(u) && u > 0,
  "a finite number > 0"
)

/**
 * A number from 0 to 1.
 *
 * @since 0.2.0
 * @category schemas
 */
export const UnitInterval: Schema.Schema<number> = checked(
  (u): u is number => typeof u === "number" && u >= 0 && u <= 1,
  "between 0 and 1"
)

/**
 * `true` or `false`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Flag: Schema.Schema<boolean> = checked((u): u is boolean => typeof u === "boolean", "true or false")

/**
 * A string with something besides white space.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NonEmptyString: Schema.Schema<string> = checked(
  (u): u is string => typeof u === "string" && u.trim() !== "",
  "a non-empty string"
)

/**
 * One of a few strings.
 *
 * @since 0.2.0
 * @category schemas
 */
export const choice = <const Values extends ReadonlyArray<string>>(values: Values): Schema.Schema<Values[number]> =>
  checked(
    (u): u is Values[number] => typeof u === "string" && values.includes(u),
    `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`
  )

const decodeDuration = (input: unknown): Duration.Duration | undefined => {
  try {
    return Duration.decode(input as Duration.DurationInput)
  } catch {
    return undefined
  }
}

const duration = (accept: (d: Duration.Duration) => boolean, mustBe: string) =>
  Schema.transformOrFail(Schema.Unknown, Schema.DurationFromSelf, {
    strict: true,
    decode: (input, _, ast) => {
      const decoded = decodeDuration(input)
      if (decoded !== undefined && accept(decoded)) return ParseResult.succeed(decoded)
      const what = decoded === undefined ? "a duration" : mustBe
      return ParseResult.fail(new ParseResult.Type(ast, input, `must be ${what}, got ${shown(input)}`))
    },
    encode: ParseResult.succeed
  })

/**
 * Any `Duration.DurationInput` longer than zero (`"30 seconds"`, `5000`, `Duration.minutes(1)`), decoded to a
 * `Duration`. Infinity is allowed (no limit).
 *
 * @since 0.2.0
 * @category schemas
 */
export const PositiveDuration: Schema.Schema<Duration.Duration, unknown> = duration(
  (d) => Duration.greaterThan(d, Duration.zero),
  "a duration longer than zero"
)

/**
 * A finite duration longer than zero: TTLs and quota windows, which a store must be able to write down.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FiniteDuration: Schema.Schema<Duration.Duration, unknown> = duration(
  (d) => Duration.greaterThan(d, Duration.zero) && Duration.isFinite(d),
  "a finite duration longer than zero"
)

/**
 * The first problem as a `ConfigError` naming the option's path under `prefix` (`rateLimit.window`).
 *
 * @since 0.2.0
 * @category decoding
 */
export const toConfigError = (error: ParseResult.ParseError, prefix?: string): ConfigError.ConfigError => {
  const [first] = ParseResult.ArrayFormatter.formatErrorSync(error)
  const path = [...(prefix === undefined ? [] : [prefix]), ...(first?.path ?? []).map(String)].join(".")
  const message = first === undefined ? "is not valid" : first._tag === "Missing" ? "is required" : first.message
  return ConfigError.InvalidData(path === "" ? [] : [path], message)
}

/**
 * Checks an options object (other fields are left alone), or a `ConfigError` naming the first bad option.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decoder = <A, I>(
  schema: Schema.Schema<A, I>,
  prefix?: string
): ((options: unknown) => Either.Either<A, ConfigError.ConfigError>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })
  return (options) => Either.mapLeft(decode(options), (error) => toConfigError(error, prefix))
}
