/**
 * Our server on loopback for tests that talk to it as raw sockets do: slow, partial, hostile.
 */
import type { Reranker } from "@effect-rerank/core"
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { Effect, Layer, Logger } from "effect"
import { connect } from "node:net"

/** Our server on a free loopback port for the enclosing scope, its log lines collected; its host and port. */
export const startServer = (
  options: NodeServer.Options = {},
  reranker: Layer.Layer<Reranker.Reranker, unknown> = LocalReranker.layer()
) =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const logger = Logger.make(({ annotations, message }) =>
      logs.push(JSON.stringify({ message, annotations: Object.fromEntries(annotations) }))
    )
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, ...options }).pipe(
        Layer.provide(reranker),
        Layer.provide(Logger.replace(Logger.defaultLogger, logger))
      )
    )
    const port = yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? address.port : 0)
    ).pipe(Effect.provide(context))
    return { port, logs, url: `http://127.0.0.1:${port}` }
  })

/**
 * Writes raw bytes on a socket (in pieces, as a slow client would) and collects everything the server sends until
 * it closes or `waitMs` passes. Resolves to what came back and whether the connection was reset.
 */
export const raw = (port: number, pieces: ReadonlyArray<string | Buffer>, waitMs = 3000) =>
  Effect.async<{ text: string; reset: boolean }>((resume) => {
    const socket = connect(port, "127.0.0.1")
    const received: Array<Buffer> = []
    let reset = false
    const finish = () => resume(Effect.succeed({ text: Buffer.concat(received).toString("latin1"), reset }))
    const timer = setTimeout(() => {
      socket.destroy()
      finish()
    }, waitMs)
    socket.on("data", (chunk) => received.push(chunk))
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") reset = true
    })
    socket.on("close", () => {
      clearTimeout(timer)
      finish()
    })
    socket.on("connect", async () => {
      for (const piece of pieces) {
        if (socket.destroyed) break
        socket.write(piece)
        await new Promise((r) => setImmediate(r))
      }
    })
  })
