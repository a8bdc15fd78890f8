/**
 * What the server needs from the platform under it, beyond `HttpServerRequest`: reading a body chunk by chunk
 * (to count it, bound it and drain it), and breaking a connection (the `reset` and `truncate` faults). Node's (in
 * `nodeConnection.ts`, given by `NodeServer`) reaches for the socket; the web-standard one here reads the request's
 * stream and, having no socket, answers the faults as closely as a response can.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as FaultInjection from "../FaultInjection.js"

/**
 * What reading a body does with each chunk: `chunk` settles the answer (reading stops) or returns undefined to go
 * on; `end` answers a body read whole; `broken` a client gone or a connection broken mid-body.
 */
export interface Step<A> {
  readonly chunk: (chunk: Uint8Array) => A | undefined
  readonly end: () => A
  readonly broken: () => A
}

export interface Connection {
  readonly consume: <A>(request: HttpServerRequest.HttpServerRequest, step: Step<A>) => Effect.Effect<A>
  /**
   * The connection broken as a failing network breaks it: before anything (`body` undefined), or after the headers
   * and half of `body`. Returns the response the app hands back (nothing more reaches the client).
   */
  readonly breakConnection: (
    request: HttpServerRequest.HttpServerRequest,
    body: string | undefined
  ) => HttpServerResponse.HttpServerResponse
}

/** On any platform: the request's own stream; the faults as responses, since there is no socket to break. */
export const web: Connection = {
  consume: <A>(request: HttpServerRequest.HttpServerRequest, step: Step<A>) =>
    Effect.suspend(() => {
      let answer: A | undefined
      return request.stream.pipe(
        Stream.runForEachWhile((chunk) =>
          Effect.sync(() => {
            answer = step.chunk(chunk)
            return answer === undefined
          })
        ),
        Effect.match({ onFailure: () => step.broken(), onSuccess: () => answer ?? step.end() })
      )
    }),
  breakConnection: FaultInjection.breakWithResponse
}
