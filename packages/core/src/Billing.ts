/**
 * One usage and cost model for every provider: what a call was billed, in the provider's own unit (Cohere's search
 * units, Pinecone's rerank units, Bedrock's queries, tokens for Voyage, Jina, Mixedbread, Together and vLLM), read
 * from the response where the provider says it and computed from its published rule where it does not (and marked
 * which), summed over the windows sent (cache hits are never billed); and its cost in USD from a price per unit.
 *
 * @since 0.2.0
 */
import type * as ConfigError from "effect/ConfigError"
import type * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as OptionSchema from "./OptionSchema.js"

/**
 * The units providers bill in.
 *
 * @since 0.2.0
 * @category models
 */
export type Unit = "searchUnits" | "rerankUnits" | "queries" | "tokens" | "documents" | "requests"

/**
 * @since 0.2.0
 * @category constants
 */
export const units: ReadonlyArray<Unit> = ["searchUnits", "rerankUnits", "queries", "tokens", "documents", "requests"]

/**
 * What a call (or one window) was billed. `reported`: the provider's response said so; `computed`: from its
 * published rule (Bedrock bills a query per 100 documents and says nothing), a floor where the rule also counts
 * what the client cannot see (Cohere splits long documents into more units).
 *
 * @since 0.2.0
 * @category models
 */
export interface Billed {
  readonly unit: Unit
  readonly quantity: number
  readonly source: "reported" | "computed"
}

/**
 * A price: `usd` for every `per` units (`{ unit: "searchUnits", usd: 2, per: 1000 }` is $2 per 1,000 searches).
 *
 * @since 0.2.0
 * @category models
 */
export interface Price {
  readonly unit: Unit
  readonly usd: number
  /** Default 1. */
  readonly per?: number | undefined
}

/**
 * Prices by model name; `"*"` for any model not named.
 *
 * @since 0.2.0
 * @category models
 */
export type Prices = Readonly<Record<string, Price>>

/**
 * @since 0.2.0
 * @category schemas
 */
export const PricesSchema = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({
    unit: OptionSchema.choice(units),
    usd: OptionSchema.NonNegativeNumber,
    per: Schema.optional(OptionSchema.PositiveNumber)
  })
})

const decodePrices = OptionSchema.decoder(PricesSchema, "prices")

/**
 * Checks a price table: a `ConfigError` naming the first bad entry.
 *
 * @since 0.2.0
 * @category constructors
 */
export const validate = (prices: Prices): Either.Either<Prices, ConfigError.ConfigError> => decodePrices(prices)

/**
 * The windows' billing summed: `undefined` unless every window says what it was billed, in one unit; `reported`
 * only when every window's figure was.
 *
 * @since 0.2.0
 * @category combinators
 */
export const sum = (parts: ReadonlyArray<Billed | undefined>): Billed | undefined => {
  const [first] = parts
  if (first === undefined) return undefined
  let quantity = 0
  let reported = true
  for (const part of parts) {
    if (part === undefined || part.unit !== first.unit) return undefined
    quantity += part.quantity
    reported &&= part.source === "reported"
  }
  return { unit: first.unit, quantity, source: reported ? "reported" : "computed" }
}

/**
 * The price of `model`: the caller's table first, then the provider's defaults; `"*"` in either for any model.
 *
 * @since 0.2.0
 * @category combinators
 */
export const priceOf = (model: string, ...tables: ReadonlyArray<Prices | undefined>): Price | undefined => {
  for (const table of tables) {
    const price = table?.[model] ?? table?.["*"]
    if (price !== undefined) return price
  }
  return undefined
}

/**
 * The cost in USD, or why there is none.
 *
 * @since 0.2.0
 * @category combinators
 */
export const cost = (
  billed: Billed,
  price: Price
): { readonly _tag: "Cost"; readonly usd: number } | { readonly _tag: "UnitMismatch" } =>
  price.unit === billed.unit
    ? { _tag: "Cost", usd: (billed.quantity * price.usd) / (price.per ?? 1) }
    : { _tag: "UnitMismatch" }
