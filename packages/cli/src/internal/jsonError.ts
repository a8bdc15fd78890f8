/**
 * Where JSON.parse gave up, as "line L, column C". V8 gives a position for most errors; for an unexpected token it
 * gives only the token (and a snippet of the input, never shown here: it may be a document), so the token's first
 * appearance outside a string stands in for the position.
 */
const positionOf = (message: string, text: string): number | undefined => {
  const stated = /position (\d+)/.exec(message)
  if (stated !== null) return Number(stated[1])
  const token = /Unexpected token '(.)'/.exec(message)
  if (token === null) return undefined
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === token[1]) return i
  }
  return undefined
}

export const where = (error: unknown, text: string, firstLine: number): string => {
  const offset = positionOf(error instanceof Error ? error.message : "", text)
  if (offset === undefined) return `line ${firstLine + (text.match(/\n/g)?.length ?? 0)} (it ends too early)`
  const before = text.slice(0, offset)
  const line = firstLine + (before.match(/\n/g)?.length ?? 0)
  const column = offset - before.lastIndexOf("\n")
  return `line ${line}, column ${column}`
}
