/**
 * Reading a request body the way a service that cannot be stalled must: counted as it arrives, kept only up to the
 * limit, the rest drained so the client still gets its 413 (closing mid-upload would reset the connection), and
 * scanned for nesting before anyone parses it.
 */
import { NodeHttpServerRequest } from "@effect/platform-node"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Effect from "effect/Effect"

/** Deeper JSON than any rerank request needs: a v1 document object inside the documents array is depth 3. */
export const maxNestingDepth = 32

/** Past this many times the limit, the server stops draining and closes the connection. */
export const drainAllowance = 4

/**
 * Reads and drops a body the server will not use (a request it refuses), so the client, still sending, gets the
 * answer instead of a reset: `true` when it ended within `bound` bytes, `false` when the connection was cut past it
 * (the answer should then say `Connection: close`, and may not arrive).
 */
export const drain = (request: HttpServerRequest.HttpServerRequest, bound: number): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    if (incoming.readableEnded) {
      resume(Effect.succeed(true))
      return
    }
    let total = 0
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (total > bound) {
        cleanup()
        incoming.destroy()
        resume(Effect.succeed(false))
      }
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(true))
    }
    const onError = () => {
      cleanup()
      resume(Effect.succeed(false))
    }
    const cleanup = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
    }
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    incoming.resume()
    return Effect.sync(cleanup)
  })

/**
 * The body as text, or `undefined` when it is over `maxBytes` (what came past the limit was read and dropped, up
 * to a few times the limit, so a 413 can still be delivered to a client that is still sending).
 */
export const read = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const chunks: Array<Buffer> = []
    let total = 0
    const onData = (chunk: Buffer) => {
      total += chunk.length
      if (total <= maxBytes) chunks.push(chunk)
      else if (total > maxBytes * drainAllowance) {
        cleanup()
        // Far past the limit: not worth reading further. The 413 may not arrive; the connection is closed.
        incoming.destroy()
        resume(Effect.succeed(undefined))
      }
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(total > maxBytes ? undefined : Buffer.concat(chunks, total).toString("utf8")))
    }
    const onError = () => {
      cleanup()
      resume(Effect.succeed(undefined))
    }
    const cleanup = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
    }
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    return Effect.sync(cleanup)
  })

/** How deep `[` and `{` nest outside strings, counting no further than just past `limit`. Linear, no allocation. */
export const nestingDepth = (text: string, limit: number): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92)
        i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === 93 || c === 125) depth--
  }
  return deepest
}
