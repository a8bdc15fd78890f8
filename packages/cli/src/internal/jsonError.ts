/** Where JSON.parse gave up, as "line L, column C": V8 says only "at position N". */
export const where = (error: unknown, text: string, firstLine: number): string => {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")
  if (position === null) return `line ${firstLine + (text.match(/\n/g)?.length ?? 0)} (it ends too early)`
  const offset = Number(position[1])
  const before = text.slice(0, offset)
  const line = firstLine + (before.match(/\n/g)?.length ?? 0)
  const column = offset - before.lastIndexOf("\n")
  return `line ${line}, column ${column}`
}
