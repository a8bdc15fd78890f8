/**
 * Reading a request body the way a service that cannot be stalled must: counted as it arrives, kept only up to the
 * limit, the rest drained so the client still gets its 413 (closing mid-upload would reset the connection), and
 * scanned for nesting before anyone parses it.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"
import type { Connection } from "./connection.js"

/** Deeper JSON than any rerank request needs: a v1 document object inside the documents array is depth 3. */
export const maxNestingDepth = 32

/** Past this many times the limit, the server stops draining and closes the connection. */
export const drainAllowance = 4

/**
 * Reads and drops a body the server will not use (a request it refuses), so the client, still sending, gets the
 * answer instead of a reset: `true` when it ended within `bound` bytes, `false` when the connection was cut past it
 * (the answer should then say `Connection: close`, and may not arrive).
 */
export const drain = (
  connection: Connection,
  request: HttpServerRequest.HttpServerRequest,
  bound: number
): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    let total = 0
    return connection.consume(request, {
      chunk: (chunk) => ((total += chunk.length) > bound ? false : undefined),
      end: () => true,
      broken: () => false
    })
  })

/**
 * A body as read: its text, too large (what came past the limit was read and dropped, up to a few times the limit,
 * so a 413 can still be delivered to a client that is still sending), or abandoned by the client mid-upload.
 */
export type Read =
  { readonly _tag: "Read"; readonly text: string } | { readonly _tag: "TooLarge" } | { readonly _tag: "Aborted" }

export const read = (
  connection: Connection,
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Read> =>
  Effect.suspend(() => {
    // Decoded as it arrives (a character split across chunks is kept for the next one): no copy of the whole body.
    const decoder = new TextDecoder()
    let text = ""
    let total = 0
    return connection.consume<Read>(request, {
      chunk: (chunk) => {
        total += chunk.length
        if (total <= maxBytes) text += decoder.decode(chunk, { stream: true })
        // Far past the limit: not worth reading further. The 413 may not arrive; the connection is closed.
        return total > maxBytes * drainAllowance ? { _tag: "TooLarge" } : undefined
      },
      end: () => (total > maxBytes ? { _tag: "TooLarge" } : { _tag: "Read", text: text + decoder.decode() }),
      // The client went away (or its connection broke) before the body ended.
      broken: () => ({ _tag: "Aborted" })
    })
  })

/** What a scan of a body finds before anyone parses it. */
export interface Shape {
  /** How deep `[` and `{` nest outside strings, counted no further than just past the limit. */
  readonly depth: number
  /** The longest array directly under the top-level object (a request's documents), and the key it is under. */
  readonly longest: { readonly field: string; readonly items: number } | undefined
}

/**
 * Scans a JSON text once, linearly, without allocating per element: how deep it nests, and how many items the
 * longest array of the top-level object holds. A million documents are refused from this count, before
 * `JSON.parse` builds a million strings. Stops at the first nesting past `maxDepth`.
 */
export const shape = (text: string, maxDepth: number): Shape => {
  let depth = 0
  let deepest = 0
  let inString = false
  let stringStart = 0
  // The last string that closed at depth 1: the key of the value that follows it.
  let lastKey = ""
  let field = ""
  let items = 0
  let empty = true
  let longest: { field: string; items: number } | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped character
      else if (c === 34) {
        inString = false
        if (depth === 1) lastKey = text.slice(stringStart, i)
        else if (depth === 2) empty = false
      }
    } else if (c === 34) {
      inString = true
      stringStart = i + 1
    } else if (c === 91 || c === 123) {
      if (depth === 2) empty = false
      depth++
      if (depth === 2 && c === 91) {
        field = lastKey
        items = 0
        empty = true
      }
      if (depth > deepest) {
        deepest = depth
        if (deepest > maxDepth) return { depth: deepest, longest }
      }
    } else if (c === 93 || c === 125) {
      if (depth === 2 && c === 93) {
        const count = empty ? 0 : items + 1
        if (longest === undefined || count > longest.items) longest = { field, items: count }
      }
      depth--
    } else if (depth === 2) {
      if (c === 44) items++
      else if (c !== 32 && c !== 10 && c !== 13 && c !== 9) empty = false
    }
  }
  return { depth: deepest, longest }
}
