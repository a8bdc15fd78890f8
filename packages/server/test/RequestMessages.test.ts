/**
 * What the server says about a bad request body, on the protocols that share the wire module's reading: the field
 * and the type it must have, never the value; and how documents become the texts ranked (rank fields, own properties).
 */
import { Reranker } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as LocalServer from "./LocalServer.js"

const post = (url: string, body: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })
    return { status: response.status, body: await response.json() }
  })

describe("Jina's server: a bad body is a 400 naming the field", () => {
  const cases: ReadonlyArray<readonly [string, unknown, string]> = [
    ["null", null, "request body must be a JSON object"],
    ["an array", [], "request body must be a JSON object"],
    ["a string", "rerank this", "request body must be a JSON object"],
    ["a number", 5, "request body must be a JSON object"],
    ["no query", { documents: ["a"] }, "query is required"],
    ["a numeric query", { query: 5, documents: ["a"] }, "query must be a string"],
    ["documents not a list", { query: "q", documents: "a" }, "documents must be an array"],
    ["a numeric document", { query: "q", documents: [5] }, "documents[0] must be a string or an object"],
    ["a list as a document", { query: "q", documents: ["a", ["b"]] }, "documents[1] must be a string or an object"],
    ["top_n 0", { query: "q", documents: ["a"], top_n: 0 }, "top_n must be a positive integer"],
    ["top_n 1.5", { query: "q", documents: ["a"], top_n: 1.5 }, "top_n must be a positive integer"],
    [
      "return_documents as text",
      { query: "q", documents: ["a"], return_documents: "yes" },
      "return_documents must be a boolean"
    ],
    [
      "an object document without text",
      { query: "q", documents: ["a", { title: "b" }] },
      'documents[1] must have a "text" field, or pass rank_fields'
    ]
  ]
  for (const [name, body, message] of cases) {
    it.scopedLive(name, () =>
      Effect.gen(function* () {
        const base = yield* LocalServer.start()
        const answer = yield* post(`${base}/jina/v1/rerank`, JSON.stringify(body))
        expect([answer.status, answer.body]).toEqual([400, { detail: `invalid request: ${message}` }])
      })
    )
  }

  it.scopedLive("documents come back unless return_documents is false (Jina's default), as they were sent", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const request = (extra: object) =>
        post(`${base}/jina/v1/rerank`, JSON.stringify({ query: "q", documents: ["a", { text: "b", id: 7 }], ...extra }))
      const plain = yield* request({})
      const byIndex = (body: any) =>
        Object.fromEntries(body.results.map((r: { index: number; document?: unknown }) => [r.index, r.document]))
      expect(byIndex(plain.body)).toEqual({ 0: { text: "a" }, 1: { text: "b", id: 7 } })
      const bare = yield* request({ return_documents: false })
      expect(bare.body.results.every((r: object) => !("document" in r))).toBe(true)
      // null, as SDKs send for an option left unset, is the default.
      expect(byIndex((yield* request({ return_documents: null, top_n: null, model: null })).body)).toEqual(
        byIndex(plain.body)
      )
    })
  )
})

describe("nested fields and rank fields", () => {
  it.scopedLive("Bedrock: a field deep in the body is named by its full path", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const answer = yield* post(
        `${base}/bedrock/rerank`,
        JSON.stringify(LocalServer.bedrockBody({ texts: [], modelArn: 5 }))
      )
      expect(answer.status).toBe(400)
      expect(answer.body.message).toBe(
        "invalid request: rerankingConfiguration.bedrockRerankingConfiguration.modelConfiguration.modelArn must be a string"
      )
    })
  )

  it.scopedLive("Bedrock: a field that must be an object, or one literal, is named with what it must be", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const ask = (query: object) =>
        post(`${base}/bedrock/rerank`, JSON.stringify(LocalServer.bedrockBody({ queries: [query] }))).pipe(
          Effect.map((answer) => [answer.status, answer.body.message])
        )
      expect(yield* ask({ type: "TEXT", textQuery: 5 })).toEqual([
        400,
        "invalid request: queries[0].textQuery must be an object"
      ])
      expect(yield* ask({ type: "IMAGE", textQuery: { text: "q" } })).toEqual([
        400,
        'invalid request: queries[0].type must be "TEXT"'
      ])
    })
  )

  it.scopedLive("Pinecone: rank_fields names the fields ranked, so a document needs no text field", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const ask = (body: object) =>
        post(
          `${base}/pinecone/rerank`,
          JSON.stringify({ model: "bge-reranker-v2-m3", query: "q", documents: [{ body: "b" }], ...body })
        ).pipe(Effect.map((answer) => [answer.status, answer.body.error?.message]))
      expect(yield* ask({ rank_fields: ["body"] })).toEqual([200, undefined])
      expect(yield* ask({})).toEqual([
        400,
        'invalid request: documents[0] must have a "text" field, or pass rank_fields'
      ])
    })
  )

  it.scopedLive("TEI: truncation_direction in either case TEI has sent, and nothing else", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const statuses: Array<number> = []
      for (const direction of ["left", "right", "Left", "Right", "middle"]) {
        const answer = yield* post(
          `${base}/tei/rerank`,
          JSON.stringify({ query: "q", texts: ["a"], truncation_direction: direction })
        )
        statuses.push(answer.status)
      }
      expect(statuses).toEqual([200, 200, 200, 200, 400])
    })
  )

  it.scopedLive("Mixedbread: rank fields joined one per line, a field a document lacks left out", () =>
    Effect.gen(function* () {
      const ranked: Array<string> = []
      const base = yield* LocalServer.start(
        {},
        Reranker.layerTest((_query, text) => (ranked.push(text), 1))
      )
      const input = [{ title: "Paris", body: "capital of France" }, { title: "Rome" }]
      const answer = yield* post(
        `${base}/mixedbread/v1/reranking`,
        JSON.stringify({ model: "m", query: "paris", input, rank_fields: ["title", "body"], return_input: true })
      )
      expect(answer.status).toBe(200)
      expect(ranked).toEqual(["title: Paris\nbody: capital of France", "title: Rome"])
      // The inputs come back as they were sent.
      const inputs = answer.body.data.map((d: { index: number; input: unknown }) => [d.index, d.input])
      expect(inputs.sort()).toEqual([
        [0, input[0]],
        [1, input[1]]
      ])
    })
  )

  it.scopedLive("exactly 100 rank fields are taken; 101 are refused", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`)
      const body = (n: number) =>
        JSON.stringify({ model: "m", query: "q", input: [{ f0: "a" }], rank_fields: fields(n) })
      expect((yield* post(`${base}/mixedbread/v1/reranking`, body(100))).status).toBe(200)
      const over = yield* post(`${base}/mixedbread/v1/reranking`, body(101))
      expect([over.status, over.body.detail]).toEqual([
        400,
        "invalid request: rank_fields must have at most 100 fields"
      ])
    })
  )
})
