/**
 * Structured documents: the fields of an object document a model should read (names or dotted paths, with an
 * optional weight the local reranker uses), encoded the way each provider takes them: its native rank fields where it
 * has them (Cohere v1, Pinecone, Together, Mixedbread; Bedrock's JSON documents), YAML for Cohere v2 (as Cohere
 * recommends for semi-structured data), `name: value` lines elsewhere. Results are always the caller's own objects.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import { InvalidRequestError } from "./RerankError.js"

/**
 * A field: its name or dotted path (`"title"`, `"meta.author"`), or that with a weight (default 1).
 *
 * @since 0.2.0
 * @category models
 */
export type Field = string | { readonly path: string; readonly weight?: number | undefined }

/**
 * A field read from a document: its path, its value, its weight.
 *
 * @since 0.2.0
 * @category models
 */
export interface Picked {
  readonly name: string
  readonly value: unknown
  readonly weight: number
}

const pathOf = (field: Field) => (typeof field === "string" ? field : field.path)
const weightOf = (field: Field) => (typeof field === "string" ? 1 : (field.weight ?? 1))

/**
 * Checks a list of fields: an `InvalidRequestError` naming the first bad one.
 *
 * @since 0.2.0
 * @category validation
 */
export const validate = (fields: ReadonlyArray<Field>): Either.Either<ReadonlyArray<Field>, InvalidRequestError> => {
  if (!Array.isArray(fields) || fields.length === 0) {
    return Either.left(new InvalidRequestError({ field: "fields", reason: "must be a non-empty list of field names" }))
  }
  const seen = new Set<string>()
  for (let i = 0; i < fields.length; i++) {
    const path = pathOf(fields[i])
    const weight = weightOf(fields[i])
    if (typeof path !== "string" || path.trim() === "" || path.split(".").some((part) => part === "")) {
      return Either.left(
        new InvalidRequestError({ field: `fields[${i}]`, reason: "must be a field name or a dotted path" })
      )
    }
    if (!(Number.isFinite(weight) && weight > 0)) {
      return Either.left(
        new InvalidRequestError({ field: `fields[${i}].weight`, reason: `must be a number above 0, got ${weight}` })
      )
    }
    if (seen.has(path)) {
      return Either.left(new InvalidRequestError({ field: `fields[${i}]`, reason: `names ${path} twice` }))
    }
    seen.add(path)
  }
  return Either.right(fields)
}

/** A dotted path's value, own properties only (never `constructor` or `__proto__`). */
const read = (document: unknown, path: string): unknown => {
  let value: unknown = document
  for (const key of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/**
 * The fields a document has, in the order asked (absent and `null` ones left out); an `InvalidRequestError` when it is
 * not an object or has none of them.
 *
 * @since 0.2.0
 * @category reading
 */
export const pick = (
  document: unknown,
  fields: ReadonlyArray<Field>,
  index: number
): Either.Either<ReadonlyArray<Picked>, InvalidRequestError> => {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return Either.left(
      new InvalidRequestError({ field: `documents[${index}]`, reason: "must be an object when fields are given" })
    )
  }
  const picked: Array<Picked> = []
  for (const field of fields) {
    const value = read(document, pathOf(field))
    if (value !== undefined && value !== null) picked.push({ name: pathOf(field), value, weight: weightOf(field) })
  }
  if (picked.length === 0) {
    return Either.left(
      new InvalidRequestError({
        field: `documents[${index}]`,
        reason: `has none of the fields ${fields.map(pathOf).join(", ")}`
      })
    )
  }
  return Either.right(picked)
}

/**
 * A value as text: a string as it is, an object or array as JSON.
 *
 * @since 0.2.0
 * @category encoding
 */
export const valueText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value))

/**
 * `name: value` lines, the encoding of a provider with no structured form of its own.
 *
 * @since 0.2.0
 * @category encoding
 */
export const keyValueLines = (picked: ReadonlyArray<Picked>): string =>
  picked.map(({ name, value }) => `${name}: ${valueText(value)}`).join("\n")

/**
 * The fields as one flat record (`{ "meta.author": ... }`), for a provider's native rank fields.
 *
 * @since 0.2.0
 * @category encoding
 */
export const record = (picked: ReadonlyArray<Picked>): Readonly<Record<string, unknown>> =>
  Object.fromEntries(picked.map(({ name, value }) => [name, value]))
