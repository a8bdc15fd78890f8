/**
 * An instruction sent the way the provider's model takes it: in its own field, or written into the query text in the
 * format its documentation gives; refused when the model documents neither, unless the caller asks for the query
 * text anyway (`instructionMode: "prepend"`).
 */
import * as Either from "effect/Either"
import * as Provider from "../Provider.js"
import { InvalidRequestError } from "../RerankError.js"

/** The query to send, and the instruction for the provider's own field (when it has one). */
export const resolve = (
  provider: Provider.Provider<any>,
  model: string,
  query: string,
  instruction: string | undefined,
  mode: "native" | "prepend"
): Either.Either<{ readonly query: string; readonly field: string | undefined }, InvalidRequestError> => {
  if (instruction === undefined) return Either.right({ query, field: undefined })
  if (instruction.trim() === "") {
    return Either.left(new InvalidRequestError({ field: "instruction", reason: "must not be empty when given" }))
  }
  const support = provider.instructionFor?.(model)
  if (mode === "prepend") {
    return Either.right({
      query: (support?.kind === "query" ? support.format : Provider.prependInstruction)(instruction, query),
      field: undefined
    })
  }
  if (support === undefined) {
    return Either.left(
      new InvalidRequestError({
        field: "instruction",
        reason: `${provider.system}'s ${model} takes no instruction (no field for one, and none documented in the query text); the "prepend" instruction mode (instructionMode, --instruction-mode) writes it into the query anyway`
      })
    )
  }
  return Either.right(
    support.kind === "field"
      ? { query, field: instruction }
      : { query: support.format(instruction, query), field: undefined }
  )
}
