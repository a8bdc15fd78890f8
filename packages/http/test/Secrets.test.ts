import { Reranker, RerankError } from "@effect-rerank/core"
import { Bedrock, Cohere } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Duration,
  Effect,
  Exit,
  Fiber,
  Inspectable,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  TestClock,
  Tracer
} from "effect"
import { recordingTracer } from "../../../test-utils/Spans.js"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const key = "sk-SECRET-9d8c7b6a5f4e"
const documents = ["the secret recipe for lemonade", "quarterly revenue figures", "an unrelated memo"]

/** Runs `effect` recording every span and log line, with debug logging on. */
const recorded = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const { spans, tracer } = yield* recordingTracer
    const logs: Array<unknown> = []
    const logger = Logger.make((entry) => {
      logs.push({ message: entry.message, annotations: [...entry.annotations], spans: [...entry.spans] })
    })
    const fiber = yield* effect.pipe(
      Effect.withTracer(tracer),
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All),
      Effect.either,
      Effect.fork
    )
    yield* TestClock.adjust(Duration.minutes(10))
    const outcome = yield* Fiber.join(fiber)
    return { outcome, spans, logs }
  })

const serialize = (value: unknown) =>
  JSON.stringify(value, (_, v) => (v instanceof Map ? [...v.entries()] : typeof v === "bigint" ? String(v) : v))

/** What a trace exporter sends for a span: name, attributes, events and the failure it ended with. */
const exported = (span: Tracer.Span) => ({
  name: span.name,
  attributes: span.attributes,
  events: (span as { events?: unknown }).events,
  failure:
    span.status._tag === "Ended" && Exit.isFailure(span.status.exit) ? Cause.pretty(span.status.exit.cause) : undefined
})

const assertClean = (text: string) => {
  expect(text).not.toContain(key)
  for (const document of documents) expect(text).not.toContain(document)
}

describe("the API key and document texts stay secret", () => {
  // Every error the table produces, including a gateway that echoes the key back in its body.
  const steps: ReadonlyArray<Scripted.Step> = [
    Scripted.text(401, `invalid api token: Bearer ${key}`),
    Scripted.json(403, { message: `key ${key} may not use this model` }),
    Scripted.json(429, { message: "slow down" }, { "retry-after": "1" }),
    Scripted.json(503, { message: "overloaded" }),
    Scripted.text(200, `not json ${key}`),
    { transport: "ECONNRESET" },
    { hang: true }
  ]

  for (const step of steps) {
    const name = "transport" in step ? "transport" : "hang" in step ? "hang" : `status ${step.status}`
    it.effect(`${name}: absent from the error, its message, toString, toJSON, logs and spans`, () =>
      Effect.gen(function* () {
        const client = Scripted.make([step])
        const layer = Cohere.layer({ apiKey: Redacted.make(key), timeout: "1 second" }).pipe(
          Layer.provide(client.layer)
        )
        const { outcome, spans, logs } = yield* recorded(
          Reranker.rerank({ query: "secret things", documents }).pipe(Effect.provide(layer))
        )
        expect(outcome._tag).toBe("Left")
        const error = (outcome as { left: RerankError.RerankError }).left
        expect(RerankError.isRerankError(error)).toBe(true)
        assertClean(error.message)
        assertClean(String(error))
        assertClean(serialize(error.toJSON()))
        assertClean(Inspectable.format(error))
        assertClean(serialize(error))
        expect(spans.length).toBeGreaterThan(1)
        assertClean(serialize(spans.map(exported)))
        assertClean(serialize(logs))
      })
    )
  }

  it.effect("a successful call's spans carry gen_ai attributes but no key or text", () =>
    Effect.gen(function* () {
      const client = Scripted.make(Scripted.scoredBy((_, i) => 1 - i / 10))
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const { outcome, spans, logs } = yield* recorded(
        Reranker.rerank({ query: "secret things", documents, topN: 2 }).pipe(Effect.provide(layer))
      )
      expect(outcome._tag).toBe("Right")
      const root = spans.find((s) => s.name === "Reranker.rerank")!
      expect(Object.fromEntries(root.attributes)).toMatchObject({
        "gen_ai.system": "cohere",
        "gen_ai.operation.name": "rerank",
        "gen_ai.request.model": "rerank-v3.5",
        "gen_ai.request.top_n": 2,
        "gen_ai.usage.search_units": 1,
        "rerank.documents.count": 3,
        "rerank.windows": 1,
        "rerank.attempts": 1
      })
      const http = spans.find((s) => s.name.startsWith("http.client"))!
      expect(http.attributes.get("http.request.header.authorization")).toBe("<redacted>")
      assertClean(serialize(spans.map(exported)))
      assertClean(serialize(logs))
    })
  )

  it.effect("retries are logged at debug level with tag, status and attempt, and counted on the span", () =>
    Effect.gen(function* () {
      const client = Scripted.make((body, n) =>
        n < 2 ? Scripted.json(503, { message: "busy" }) : Scripted.scoredBy(() => 0.5)(body, n)
      )
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const { outcome, spans, logs } = yield* recorded(
        Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer))
      )
      expect(outcome._tag).toBe("Right")
      expect(logs.length).toBe(2)
      expect(serialize(logs[0])).toContain("ServiceError")
      expect(serialize(logs[1])).toContain("503")
      const root = spans.find((s) => s.name === "Reranker.rerank")!
      expect(root.attributes.get("rerank.attempts")).toBe(3)
    })
  )
})

describe("the Reranker.rerank span on failure", () => {
  it.effect("records the error tag and every attempt", () =>
    Effect.gen(function* () {
      const client = Scripted.make([Scripted.json(503, { message: "busy" })])
      const layer = Cohere.layer({ apiKey: Redacted.make(key) }).pipe(Layer.provide(client.layer))
      const { outcome, spans } = yield* recorded(Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer)))
      expect(outcome._tag).toBe("Left")
      const root = spans.find((s) => s.name === "Reranker.rerank")!
      expect(root.attributes.get("error.type")).toBe("ServiceError")
      expect(root.attributes.get("rerank.attempts")).toBe(4)
      expect(spans.filter((s) => s.name.startsWith("http.client")).length).toBe(4)
    })
  )
})

describe("what the server sends back is not trusted", () => {
  const run = (step: Scripted.Step) =>
    Effect.gen(function* () {
      const client = Scripted.make([step])
      const layer = Cohere.layer({ apiKey: Redacted.make(key), retry: { maxRetries: 0 } }).pipe(
        Layer.provide(client.layer)
      )
      const { outcome } = yield* recorded(Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer)))
      if (outcome._tag === "Right") throw new Error("expected a failure")
      // Untyped on purpose: each test reads the fields of the tag it expects.
      return outcome.left as any
    })
  const noControl = (text: string) => expect(text).not.toMatch(/[\u0000-\u001f\u007f]/)

  it.effect("a key echoed in the error body's id, or in a trace header, never reaches requestId", () =>
    Effect.gen(function* () {
      const fromBody = yield* run(Scripted.json(400, { id: `req-${key}`, message: "bad" }))
      expect(fromBody.requestId).toBe("req-[redacted]")
      const fromHeader = yield* run(Scripted.text(502, "bad gateway", { "x-debug-trace-id": `t-${key}` }))
      expect(fromHeader.requestId).toBe("t-[redacted]")
      assertClean(serialize({ ...fromBody, message: fromBody.message }))
      assertClean(serialize({ ...fromHeader, message: fromHeader.message }))
    })
  )

  it.effect("a key in the Content-Type of a non-JSON 200 never reaches the error", () =>
    Effect.gen(function* () {
      const error = yield* run({ status: 200, body: "<html>", headers: { "content-type": `text/html; k=${key}` } })
      expect(error._tag).toBe("TransportError")
      expect(error.reason).toContain("[redacted]")
      assertClean(String(error) + error.message)
    })
  )

  it.effect("a key echoed in any response header never reaches a span", () =>
    Effect.gen(function* () {
      const client = Scripted.make([
        Scripted.text(200, `not json ${key}`, {
          "content-type": `text/plain; ${key}`,
          "x-debug-trace-id": key,
          "x-anything": `echo ${key}`,
          // Only accept, user-agent and content-length are shown, by their whole names.
          "accept-ranges": `bytes ${key}`
        })
      ])
      const layer = Cohere.layer({ apiKey: Redacted.make(key), retry: { maxRetries: 0 } }).pipe(
        Layer.provide(client.layer)
      )
      const { spans } = yield* recorded(Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer)))
      const http = spans.find((s) => s.name.startsWith("http.client"))!
      expect(http.attributes.get("http.response.header.x-anything")).toBe("<redacted>")
      expect(http.attributes.get("http.request.header.accept")).toBe("application/json")
      assertClean(serialize(spans.map(exported)))
    })
  )

  it.effect("terminal escapes and control characters in messages and ids are removed", () =>
    Effect.gen(function* () {
      const error = yield* run(
        Scripted.json(400, { id: "id\u001b]0;pwned\u0007", message: "bad \u001b[31mred\u001b[0m\r\nInjected: 1" })
      )
      noControl(error.serverMessage)
      noControl(error.requestId)
      noControl(error.message)
      expect(error.serverMessage).toContain("bad")
    })
  )

  it.effect("a key echoed in another letter case, URL-encoded, or split by zero-width characters is scrubbed", () =>
    Effect.gen(function* () {
      const upper = yield* run(Scripted.json(401, { message: `unknown key ${key.toUpperCase()}` }))
      expect(upper.serverMessage).toBe("unknown key [redacted]")
      const split = yield* run(Scripted.json(400, { message: `bad ${key.slice(0, 5)}\u200b${key.slice(5)}` }))
      expect(split.serverMessage).toBe("bad [redacted]")
      const encoded = yield* run(Scripted.json(400, { message: `bad ?key=${encodeURIComponent(key + "/+")}` }))
      expect(encoded.serverMessage).not.toContain(key)
    })
  )

  it.effect("bidi controls and zero-width characters from a server never reach a message", () =>
    Effect.gen(function* () {
      const error = yield* run(
        Scripted.json(400, { id: "id\u202e\u2066x", message: "pay \u202eevil\u202c here\u200b\ufeff now" })
      )
      for (const text of [error.serverMessage, error.requestId, error.message]) {
        expect(text).not.toMatch(/\p{Cf}/u)
      }
      expect(error.serverMessage).toBe("pay evil here now")
    })
  )
})

describe("AWS credentials stay secret", () => {
  const credentials = {
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    sessionToken: Redacted.make("IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN+abc/def==")
  }

  it.effect("a server echoing the signed request's headers: session token, access key id, signature scrubbed", () =>
    Effect.gen(function* () {
      // A misbehaving proxy that echoes every request header into its error body and its request id.
      const client = Scripted.make((_body, _call, request) => {
        const echoed = JSON.stringify(request?.headers ?? {})
        return Scripted.json(
          400,
          { message: `ValidationException: bad request ${echoed} ${echoed.toLowerCase()}` },
          {
            "x-amzn-errortype": "ValidationException",
            "x-amzn-requestid": `req ${request?.headers.authorization} ${request?.headers["x-amz-security-token"]}`
          }
        )
      })
      const layer = Bedrock.layer({
        region: "us-east-1",
        credentials,
        model: "cohere.rerank-v3-5:0",
        retry: { maxRetries: 0 }
      }).pipe(Layer.provide(client.layer))
      const { logs, outcome, spans } = yield* recorded(
        Reranker.rerank({ query: "q", documents }).pipe(Effect.provide(layer))
      )
      if (outcome._tag === "Right") throw new Error("expected a failure")
      const error = outcome.left as RerankError.InvalidRequestError
      const sent = client.calls[0].headers
      const signature = /Signature=([0-9a-f]+)/.exec(sent.authorization)![1]
      expect(sent["x-amz-security-token"]).toBe(Redacted.value(credentials.sessionToken))
      const everything = [
        serialize({ ...error, message: error.message }),
        String(error),
        serialize(spans.map(exported)),
        serialize(logs)
      ].join("\n")
      for (const secret of [
        Redacted.value(credentials.sessionToken),
        Redacted.value(credentials.sessionToken).toLowerCase(),
        credentials.accessKeyId,
        credentials.accessKeyId.toLowerCase(),
        Redacted.value(credentials.secretAccessKey),
        signature
      ]) {
        expect(everything).not.toContain(secret)
      }
      expect(error.requestId).toContain("Signature=[redacted]")
    })
  )
})
