import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect, Exit, Layer, Option, Redacted } from "effect"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const withEnv = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const rerankWith = (env: Record<string, string>, options?: Cohere.ConfigOptions) =>
  Effect.gen(function* () {
    const client = Scripted.make(Scripted.scoredBy(() => 0.5))
    const layer = Cohere.layerConfig(options).pipe(Layer.provide(client.layer), Layer.provide(withEnv(env)))
    const exit = yield* Reranker.rerank({ query: "q", documents: ["a"] }).pipe(Effect.provide(layer), Effect.exit)
    return { exit, calls: client.calls }
  })

describe("Cohere.layerConfig", () => {
  it.effect("a missing key fails at layer construction, naming COHERE_API_KEY, before any request", () =>
    Effect.gen(function* () {
      const { exit, calls } = yield* rerankWith({})
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) && exit.cause)).toContain("COHERE_API_KEY")
      expect(calls.length).toBe(0)
    })
  )

  it.effect("reads COHERE_API_KEY", () =>
    Effect.gen(function* () {
      const { exit, calls } = yield* rerankWith({ COHERE_API_KEY: "k-primary" })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(calls[0].headers.authorization).toBe("Bearer k-primary")
      expect(calls[0].url).toBe("https://api.cohere.com/v2/rerank")
    })
  )

  it.effect("falls back to CO_API_KEY, the official SDK's name", () =>
    Effect.gen(function* () {
      const { calls } = yield* rerankWith({ CO_API_KEY: "k-sdk" })
      expect(calls[0].headers.authorization).toBe("Bearer k-sdk")
    })
  )

  it.effect("COHERE_BASE_URL points it elsewhere", () =>
    Effect.gen(function* () {
      const { calls } = yield* rerankWith({ COHERE_API_KEY: "k", COHERE_BASE_URL: "http://localhost:4010" })
      expect(calls[0].url).toBe("http://localhost:4010/v2/rerank")
    })
  )

  it.effect("plain options still apply", () =>
    Effect.gen(function* () {
      const { calls } = yield* rerankWith(
        { COHERE_API_KEY: "k" },
        { apiVersion: Config.succeed("v1"), model: Config.succeed("rerank-english-v3.0") }
      )
      expect(calls[0].url).toBe("https://api.cohere.com/v1/rerank")
      expect(calls[0].body.model).toBe("rerank-english-v3.0")
    })
  )
})

describe("what a missing or empty key says", () => {
  const failure = (env: Record<string, string>) =>
    Effect.gen(function* () {
      const layer = Cohere.layerConfig().pipe(
        Layer.provide(Scripted.make(Scripted.scoredBy(() => 0.5)).layer),
        Layer.provide(withEnv(env))
      )
      const exit = yield* Layer.build(layer).pipe(Effect.scoped, Effect.exit)
      return String(Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : "built")
    })

  it.effect("no key: every variable it looks in, and what the key is", () =>
    Effect.gen(function* () {
      expect(yield* failure({})).toBe(
        '(Missing data at COHERE_API_KEY: "Set COHERE_API_KEY (or CO_API_KEY) to a Cohere API key; no key was found in the environment")'
      )
    })
  )

  it.effect("a variable set to blanks is named as empty, never echoed", () =>
    Effect.gen(function* () {
      expect(yield* failure({ COHERE_API_KEY: "   " })).toContain(
        '(Invalid data at COHERE_API_KEY: "COHERE_API_KEY is empty: set it to a Cohere API key")'
      )
    })
  )
})

describe("Cohere's own options, refused with the option and the reason", () => {
  const refusal = (options: Partial<Cohere.Options>) =>
    Scripted.refusal(Cohere.make({ apiKey: Redacted.make("k"), ...options }))

  it.effect.each([
    [{ apiVersion: "v3" as "v2" }, '(Invalid data at apiVersion: "must be one of \"v2\", \"v1\", got v3")'],
    [{ maxTokensPerDoc: 0 }, '(Invalid data at maxTokensPerDoc: "must be an integer >= 1, got 0")'],
    [{ maxTokensPerDoc: 1.5 }, '(Invalid data at maxTokensPerDoc: "must be an integer >= 1, got 1.5")'],
    [{ maxTokensPerDoc: 1 }, "accepted"],
    [{ apiVersion: "v1", maxChunksPerDoc: 0 }, '(Invalid data at maxChunksPerDoc: "must be an integer >= 1, got 0")'],
    [{ apiVersion: "v1", maxChunksPerDoc: 1 }, "accepted"],
    [{ priority: -1 }, '(Invalid data at priority: "must be an integer from 0 to 999, got -1")'],
    [{ priority: 1000 }, '(Invalid data at priority: "must be an integer from 0 to 999, got 1000")'],
    [{ priority: 1.5 }, '(Invalid data at priority: "must be an integer from 0 to 999, got 1.5")'],
    [{ priority: 0 }, "accepted"],
    [{ priority: 999 }, "accepted"],
    [{ baseUrl: "not a url" }, '(Invalid data at baseUrl: "is not a URL")'],
    [{ baseUrl: "ftp://example.com" }, '(Invalid data at baseUrl: "must be an http(s) URL, got ftp:")'],
    [{ apiKey: Redacted.make(" ") }, '(Invalid data at apiKey: "is empty")']
  ] as const)("%o: %s", ([options, expected]) =>
    Effect.gen(function* () {
      expect(yield* refusal(options)).toBe(expected)
    })
  )
})

describe("Cohere.layer option checks", () => {
  const build = (options: Partial<Cohere.Options>) =>
    Effect.gen(function* () {
      const client = Scripted.make(Scripted.scoredBy(() => 0.5))
      const layer = Cohere.layer({ apiKey: Redacted.make("k"), ...options }).pipe(Layer.provide(client.layer))
      return yield* Layer.build(layer).pipe(Effect.scoped, Effect.exit)
    })

  it.effect.each([
    [{ baseUrl: "http://api.example.com" }, "baseUrl"],
    [{ baseUrl: "http://127.0.0.1.evil.example" }, "baseUrl"],
    [{ baseUrl: "http://localhost.evil.example:8080" }, "baseUrl"],
    [{ baseUrl: "http://127.0.0.1000:8080" }, "baseUrl"],
    [{ baseUrl: "http://[::2]:8080" }, "baseUrl"],
    [{ baseUrl: "not a url" }, "baseUrl"],
    [{ baseUrl: "ftp://example.com" }, "baseUrl"],
    [{ apiKey: Redacted.make(" ") }, "apiKey"],
    [{ priority: 1000 }, "priority"],
    [{ maxTokensPerDoc: 0 }, "maxTokensPerDoc"],
    [{ maxDocumentsPerRequest: 0 }, "maxDocumentsPerRequest"],
    [{ concurrency: 0 }, "concurrency"],
    [{ timeout: 0 }, "timeout"]
  ] as const)("%o is refused at construction, naming %s", ([options, name]) =>
    Effect.gen(function* () {
      const exit = yield* build(options as Partial<Cohere.Options>)
      expect(Exit.isFailure(exit)).toBe(true)
      expect(String(Exit.isFailure(exit) && exit.cause)).toContain(name)
    })
  )

  it.effect.each([
    "http://localhost:8080",
    "http://127.0.0.1:9",
    "http://127.100.20.254:8080",
    "http://[::1]:8080",
    "http://[0:0:0:0:0:0:0:1]:8080"
  ])("plain http to loopback %s is allowed", (baseUrl) =>
    Effect.gen(function* () {
      expect(Exit.isSuccess(yield* build({ baseUrl }))).toBe(true)
    })
  )

  it.effect("a key with a control character is refused at construction, and the error never shows the key", () =>
    Effect.gen(function* () {
      for (const key of ["sk-abc\r\nX-Injected: 1", "sk-abc\u0000", "sk-abc\n"]) {
        const exit = yield* build({ apiKey: Redacted.make(key) })
        expect(Exit.isFailure(exit)).toBe(true)
        const shown = String(Exit.isFailure(exit) && exit.cause)
        expect(shown).toContain("apiKey")
        expect(shown).toContain("control characters")
        expect(shown).not.toContain("sk-abc")
      }
    })
  )

  it.effect("plain http to a remote host is allowed only when opted in", () =>
    Effect.gen(function* () {
      expect(Exit.isSuccess(yield* build({ baseUrl: "http://rerank.internal", allowInsecureHttp: true }))).toBe(true)
    })
  )
})
