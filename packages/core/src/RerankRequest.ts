/**
 * What a caller asks a reranker: a query and candidate documents, strings or the caller's own objects, plus how
 * many results to keep. Validated before any request is made.
 *
 * @since 0.2.0
 */
import * as Either from "effect/Either"
import type * as Chunking from "./Chunking.js"
import * as Fields from "./Fields.js"
import { InvalidRequestError } from "./RerankError.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface RerankRequest<A> {
  readonly query: string
  /** Strings, or any objects when `toText` is given. Never mutated; results hold these very objects. */
  readonly documents: ReadonlyArray<A>
  /** The text sent to the model for a document. Default: the document itself, which must then be a string. */
  readonly toText?: ((document: A) => string) | undefined
  /** Keep the best N after merging. Default: all. */
  readonly topN?: number | undefined
  /** Drop results whose raw relevance score is below this. */
  readonly minScore?: number | undefined
  /** Overrides the provider's default model. */
  readonly model?: string | undefined
  /**
   * Steers the model's notion of relevance ("prefer primary sources"), sent the way the provider's model documents
   * it; refused where it documents none (see `instructionMode`). Replaces the layer's `instruction`.
   */
  readonly instruction?: string | undefined
  /**
   * For object documents: the fields the model reads (names or dotted paths, with optional weights for the local
   * reranker), encoded the way the provider takes them (see `Fields`). Instead of `toText`.
   */
  readonly fields?: ReadonlyArray<Fields.Field> | undefined
  /** This call's chunking of long documents, replacing the layer's (`Chunking`); `false` turns it off. */
  readonly chunk?: Chunking.Options | false | undefined
}

const invalid = (field: string, reason: string) => Either.left(new InvalidRequestError({ field, reason }))

/**
 * Checks a request and returns the texts to send, in input order; fails with `InvalidRequestError` naming the
 * first problem: an empty query, `topN` < 1 or not an integer, a non-finite `minScore`, an empty model, a document
 * that is not a string with no `toText`, or a document whose text is empty.
 *
 * @since 0.2.0
 * @category validation
 */
export const validate = <A>(request: RerankRequest<A>): Either.Either<ReadonlyArray<string>, InvalidRequestError> =>
  request.fields !== undefined
    ? Either.map(read(request, request.fields, Fields.keyValueLines), (r) => r.texts)
    : Either.flatMap(checkParameters(request), () => textsOf(request))

/** Everything but the documents' texts: the query, `topN`, `minScore`, `model`, and that documents is a list. */
const checkParameters = <A>(request: RerankRequest<A>): Either.Either<void, InvalidRequestError> => {
  if (typeof request.query !== "string" || request.query.trim() === "") {
    return invalid("query", "must be a non-empty string")
  }
  if (request.topN !== undefined && !(Number.isInteger(request.topN) && request.topN >= 1)) {
    return invalid("topN", `must be an integer >= 1, got ${request.topN}`)
  }
  if (request.minScore !== undefined && !Number.isFinite(request.minScore)) {
    return invalid("minScore", `must be a finite number, got ${request.minScore}`)
  }
  if (request.model !== undefined && (typeof request.model !== "string" || request.model.trim() === "")) {
    return invalid("model", "must be a non-empty string when given")
  }
  if (!Array.isArray(request.documents)) {
    return invalid("documents", "must be an array")
  }
  return Either.void
}

const textsOf = <A>(request: RerankRequest<A>): Either.Either<ReadonlyArray<string>, InvalidRequestError> => {
  const texts = new Array<string>(request.documents.length)
  for (let i = 0; i < request.documents.length; i++) {
    const document = request.documents[i]
    let text: unknown = document
    if (request.toText !== undefined) {
      text = request.toText(document)
    } else if (typeof document !== "string") {
      return invalid(`documents[${i}]`, "is not a string: pass `toText` to turn your documents into text")
    }
    if (typeof text !== "string") return invalid(`documents[${i}]`, "toText returned something that is not a string")
    if (text.trim() === "") return invalid(`documents[${i}]`, "has empty text")
    texts[i] = text
  }
  return Either.right(texts)
}

/**
 * A request with `fields`: each document's fields, and its text as `encode` writes them (a provider's encoding).
 *
 * @since 0.2.0
 * @category validation
 */
export const read = <A>(
  request: RerankRequest<A>,
  fields: ReadonlyArray<Fields.Field>,
  encode: (picked: ReadonlyArray<Fields.Picked>) => string
): Either.Either<
  { readonly texts: ReadonlyArray<string>; readonly picked: ReadonlyArray<ReadonlyArray<Fields.Picked>> },
  InvalidRequestError
> =>
  Either.gen(function* () {
    yield* checkParameters(request)
    if (request.toText !== undefined) {
      return yield* invalid("fields", "give toText or fields, not both")
    }
    yield* Fields.validate(fields)
    const picked: Array<ReadonlyArray<Fields.Picked>> = []
    const texts: Array<string> = []
    for (let i = 0; i < request.documents.length; i++) {
      const own = yield* Fields.pick(request.documents[i], fields, i)
      picked.push(own)
      texts.push(encode(own))
    }
    return { texts, picked }
  })
