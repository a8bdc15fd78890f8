/**
 * Node's HTTP server set up to hold under hostile clients: every timeout explicit and checked each second (Node checks
 * every 30 s by default), and a cap on open connections that, when reached, drops the connection that has waited
 * longest without a request in progress (a slow client that never finishes its headers, an idle keep-alive) before it
 * turns a new one away; a request counts as in progress once its body has arrived, so a client trickling its body
 * is dropped like one trickling its headers. Node's own `maxConnections` refuses the newcomer instead, so a few
 * hundred slow clients would lock everyone else out.
 */
import * as Duration from "effect/Duration"
import { createServer, type Server } from "node:http"
import type { Socket } from "node:net"

export interface Limits {
  readonly maxConnections: number
  readonly headersTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  readonly keepAliveTimeout: Duration.Duration
}

export const make = (limits: Limits): Server => {
  const server = createServer({
    headersTimeout: Duration.toMillis(limits.headersTimeout),
    requestTimeout: Duration.toMillis(limits.requestTimeout),
    keepAliveTimeout: Duration.toMillis(limits.keepAliveTimeout),
    connectionsCheckingInterval: 1_000
  })
  // Connections without a request in progress, oldest first (a Map keeps insertion order; re-inserted when idle).
  const waiting = new Map<Socket, true>()
  let open = 0
  server.on("connection", (socket: Socket) => {
    if (open >= limits.maxConnections) {
      const [oldest] = waiting.keys()
      if (oldest === undefined) {
        // Every connection is serving a request: the newcomer waits for none of them.
        socket.destroy()
        return
      }
      waiting.delete(oldest)
      oldest.destroy()
    }
    open++
    waiting.set(socket, true)
    socket.once("close", () => {
      open--
      waiting.delete(socket)
    })
  })
  server.on("request", (request, response) => {
    const socket = request.socket
    // Until its body has arrived, a request is no busier than a connection that sent nothing: a client trickling a
    // body is dropped before one being answered. Re-inserted, so it counts as waiting from now.
    waiting.delete(socket)
    waiting.set(socket, true)
    const busy = () => waiting.delete(socket)
    request.once("end", busy)
    response.once("close", () => {
      request.off("end", busy)
      if (!socket.destroyed) waiting.set(socket, true)
    })
  })
  return server
}
