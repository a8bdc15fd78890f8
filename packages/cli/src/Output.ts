/**
 * Prints reranked documents: a table cut to the terminal's width, one JSON document, or JSON lines.
 *
 * @since 0.2.0
 */
import type { RerankResult } from "@effect-rerank/core"
import type { Document } from "./Documents.js"

/**
 * @since 0.2.0
 * @category models
 */
export type Format = "table" | "json" | "jsonl"

/**
 * One shape whatever the input: `text` (what was ranked) always, and `document` (the record as read) for JSON and
 * JSONL input, so that a reader of lines and a reader of records parse the same fields.
 */
const resultJson = (r: RerankResult.Ranked<Document>) => ({
  rank: r.rank,
  index: r.index,
  score: r.score,
  text: r.document.text,
  ...(r.document.record === undefined ? {} : { document: r.document.record }),
  // With --chunk-size: the chunk that decided, and its characters in the text.
  ...(r.chunk === undefined ? {} : { chunk: r.chunk })
})

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim()

/**
 * The lines to print for a result.
 *
 * @since 0.2.0
 * @category formatting
 */
export const render = (result: RerankResult.RerankResult<Document>, format: Format, width: number): Array<string> => {
  switch (format) {
    case "json":
      return [
        JSON.stringify(
          {
            model: result.model,
            usage: result.usage,
            warnings: result.warnings,
            results: result.results.map(resultJson)
          },
          null,
          2
        )
      ]
    case "jsonl":
      return result.results.map((r) => JSON.stringify(resultJson(r)))
    case "table": {
      const header = `${"rank".padStart(4)}  ${"score".padStart(6)}  ${"index".padStart(5)}  text`
      const room = Math.max(10, width - header.length + "text".length)
      const rows = result.results.map((r) => {
        const text = oneLine(r.document.text)
        const cut = text.length > room ? `${text.slice(0, room - 1)}…` : text
        return `${String(r.rank).padStart(4)}  ${r.score.toFixed(4).padStart(6)}  ${String(r.index).padStart(5)}  ${cut}`
      })
      return [header, ...rows]
    }
  }
}
