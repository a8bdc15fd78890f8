import { Reranker } from "@effect-rerank/core"
import { Cohere, CohereSchema } from "@effect-rerank/http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Layer, Redacted, Schema } from "effect"
import * as CohereDecode from "../src/internal/cohereDecode.js"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

// Each field is usually well-formed, sometimes any JSON value, sometimes absent: bodies on both sides of the line.
const sometimes = <A>(valid: fc.Arbitrary<A>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: fc.jsonValue(), weight: 1 })
const nullable = <A>(valid: fc.Arbitrary<A>) => fc.oneof(valid, fc.constant(null))

const result = fc.record(
  {
    index: sometimes(fc.integer({ min: -2, max: 50 })),
    relevance_score: sometimes(fc.double({ noNaN: true, noDefaultInfinity: true })),
    document: fc.jsonValue()
  },
  { requiredKeys: [] }
)

const meta = fc.record(
  {
    api_version: sometimes(
      nullable(
        fc.record(
          {
            version: sometimes(nullable(fc.string())),
            is_deprecated: sometimes(nullable(fc.boolean())),
            is_experimental: sometimes(nullable(fc.boolean()))
          },
          { requiredKeys: [] }
        )
      )
    ),
    billed_units: sometimes(nullable(fc.record({ search_units: sometimes(nullable(fc.nat())) }, { requiredKeys: [] }))),
    warnings: sometimes(nullable(fc.array(sometimes(fc.string()), { maxLength: 3 })))
  },
  { requiredKeys: [] }
)

const body = fc.oneof(
  {
    arbitrary: fc.record(
      {
        id: sometimes(nullable(fc.string())),
        results: sometimes(fc.array(sometimes(result), { maxLength: 8 })),
        meta: sometimes(nullable(meta))
      },
      { requiredKeys: [] }
    ),
    weight: 9
  },
  { arbitrary: fc.jsonValue(), weight: 1 }
)

describe("the hot-path decoder of Cohere's 200 body", () => {
  it.prop(
    "accepts exactly what CohereSchema.RerankResponse accepts, and decodes it to the same window",
    [body],
    ([json]) => {
      const fast = CohereDecode.fast(json)
      const slow = CohereDecode.slow(json)
      expect(fast === undefined).toBe(Either.isLeft(slow))
      if (fast !== undefined && Either.isRight(slow)) expect(fast).toEqual(slow.right)
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it("rejected bodies are named by path through the schema", () => {
    expect(CohereDecode.decode({ results: [{ index: 0 }] })).toEqual(
      Either.left("results.0.relevance_score is missing")
    )
    expect(CohereDecode.decode({ results: [], meta: { warnings: [1] } })).toEqual(
      Either.left("meta.warnings.0 has the wrong type")
    )
  })
})

describe("what the Cohere client sends is what CohereSchema decodes", () => {
  const documents = ["alpha", "beta", "gamma"]
  const sent = (options: Partial<Cohere.Options>) =>
    Effect.gen(function* () {
      const client = Scripted.make(Scripted.scoredBy(() => 0.5))
      const layer = Cohere.layer({ apiKey: Redacted.make("k"), ...options }).pipe(Layer.provide(client.layer))
      yield* Reranker.rerank({ query: "q", documents, topN: 2 }).pipe(Effect.provide(layer))
      return client.calls[0].body
    })

  it.effect("v2 with every option", () =>
    Effect.gen(function* () {
      const body = yield* sent({ maxTokensPerDoc: 512, priority: 7 })
      expect(Schema.decodeUnknownSync(CohereSchema.V2Request)(body)).toEqual({
        model: "rerank-v3.5",
        query: "q",
        documents,
        topN: 2,
        maxTokensPerDoc: 512,
        priority: 7
      })
    })
  )

  it.effect("v1 with every option", () =>
    Effect.gen(function* () {
      const body = yield* sent({ apiVersion: "v1", maxChunksPerDoc: 3, returnDocuments: false })
      expect(Schema.decodeUnknownSync(CohereSchema.V1Request)(body)).toEqual({
        model: "rerank-v3.5",
        query: "q",
        documents,
        topN: 2,
        maxChunksPerDoc: 3,
        returnDocuments: false
      })
    })
  )
})
