import { Reranker, RerankError } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { Gateway, NodeServer } from "@effect-rerank/server"
import { FetchHttpClient, HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Logger, LogLevel, Option, Redacted, Schema } from "effect"
import * as CliError from "../src/CliError.js"
import { documents, query } from "../../../test-utils/Sample.js"

/** Our server on a free loopback port, over `reranker`, for the enclosing scope; its base URL. */
const startServer = (reranker: Layer.Layer<Reranker.Reranker, unknown>) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0 }).pipe(Layer.provide(reranker), Layer.provide(Logger.minimumLogLevel(LogLevel.None)))
    )
    return yield* HttpServer.addressWith((address) =>
      Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "")
    ).pipe(Effect.provide(context))
  })

const client = (baseUrl: string) =>
  Cohere.layer({ apiKey: Redacted.make("test-key"), baseUrl, retry: { maxRetries: 0 } }).pipe(
    Layer.provide(FetchHttpClient.layer)
  )

describe("the three status tables agree: an error served by our server comes back to our client as itself", () => {
  // What the server's reranker fails with, and what our client must read back from the wire.
  const cases: ReadonlyArray<readonly [RerankError.RerankError, Record<string, unknown>, number]> = [
    [new RerankError.InvalidRequestError({ field: "query", reason: "too long" }), { _tag: "InvalidRequestError" }, 4],
    [
      new RerankError.PayloadLimitError({ limit: 500, actual: 900, unit: "documents" }),
      { _tag: "PayloadLimitError", unit: "documents", limit: 500 },
      8
    ],
    [
      new RerankError.PayloadLimitError({ limit: 4096, actual: 9000, unit: "bytes" }),
      { _tag: "PayloadLimitError", unit: "bytes", limit: 4096 },
      8
    ],
    [
      new RerankError.PayloadLimitError({ limit: 10000, actual: 25000, unit: "chunks" }),
      { _tag: "PayloadLimitError", unit: "chunks", limit: 10000 },
      8
    ],
    [
      new RerankError.RateLimitError({ retryAfter: Option.some(Duration.seconds(90)) }),
      { _tag: "RateLimitError", retryAfter: Option.some(Duration.seconds(90)) },
      6
    ],
    // The reranker behind the server refusing the server's own key is the server's failure (a gateway's upstream
    // credentials), a 502 that says so; the CLI names the gateway (a caller's own wrong key is 401, exit 5).
    ...(["invalid-key", "billing", "forbidden"] as const).map(
      (reason) =>
        [
          new RerankError.AuthenticationError({ reason }),
          { _tag: "ServiceError", status: 502, serverMessage: `${Gateway.upstreamCredentialsRefused} (${reason})` },
          14
        ] as const
    ),
    [new RerankError.ServiceError({ status: 503 }), { _tag: "ServiceError", status: 503 }, 9],
    [new RerankError.ServiceError({ status: 501 }), { _tag: "ServiceError", status: 501 }, 9],
    // Failures only a client can have are the gateway's 504 and 502: a retryable ServiceError for its own client.
    [
      new RerankError.TimeoutError({ timeout: Duration.seconds(1), scope: "attempt" }),
      { _tag: "ServiceError", status: 504 },
      9
    ],
    [new RerankError.TransportError({ reason: "ECONNRESET" }), { _tag: "ServiceError", status: 502 }, 9],
    [new RerankError.ResponseDecodeError({ reason: "bad" }), { _tag: "ServiceError", status: 502 }, 9]
  ]

  for (const [served, expected, exitCode] of cases) {
    it.scopedLive(
      `${served._tag} ${JSON.stringify(Schema.encodeSync(RerankError.RerankError)(served))} -> ${expected._tag}`,
      () =>
        Effect.gen(function* () {
          const failing = Reranker.layerTest(() => Effect.fail(served), { retry: { maxRetries: 0 } })
          const baseUrl = yield* startServer(failing)
          const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(client(baseUrl)), Effect.flip)
          expect(error).toMatchObject(expected)
          // The CLI's table: the same class of failure exits with the same code, whichever side saw it first.
          expect(CliError.report(error).code).toBe(exitCode)
          expect(CliError.report(served).code).toBe(
            served._tag === expected._tag ? exitCode : CliError.report(served).code
          )
        })
    )
  }
})
