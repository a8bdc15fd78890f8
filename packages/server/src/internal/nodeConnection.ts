/**
 * The server's `Connection` on Node's HTTP server: bodies read from the `IncomingMessage` (the client leaving is its
 * `aborted`), a connection broken by destroying its socket. `NodeServer` gives it to the app.
 */
import { NodeHttpServerRequest } from "@effect/platform-node"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type { Connection } from "./connection.js"

export const node: Connection = {
  consume: (request, step) =>
    Effect.async((resume) => {
      const incoming = NodeHttpServerRequest.toIncomingMessage(request)
      if (incoming.readableEnded) {
        resume(Effect.succeed(step.end()))
        return
      }
      const finish = (answer: ReturnType<typeof step.end>) => {
        cleanup()
        resume(Effect.succeed(answer))
      }
      const onData = (chunk: Uint8Array) => {
        const answer = step.chunk(chunk)
        if (answer === undefined) return
        incoming.destroy()
        finish(answer)
      }
      const onEnd = () => finish(step.end())
      const onBroken = () => finish(step.broken())
      const cleanup = () => {
        incoming.off("data", onData)
        incoming.off("end", onEnd)
        incoming.off("error", onBroken)
        incoming.off("aborted", onBroken)
      }
      incoming.on("data", onData)
      incoming.on("end", onEnd)
      incoming.on("error", onBroken)
      incoming.on("aborted", onBroken)
      return Effect.sync(cleanup)
    }),
  breakConnection: (request, body) => {
    const response = NodeHttpServerRequest.toServerResponse(request)
    if (body !== undefined) {
      const bytes = new TextEncoder().encode(body)
      response.writeHead(200, { "content-type": "application/json", "content-length": String(bytes.length) })
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
    }
    response.socket?.destroy()
    // Marks the response finished, so the server writes nothing more to the dead socket.
    response.end()
    return HttpServerResponse.empty()
  }
}
