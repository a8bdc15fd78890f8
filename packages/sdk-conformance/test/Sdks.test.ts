/**
 * Every vendor's own SDK, pinned, pointed unchanged (but for its base URL) at `rerank serve`'s prefix for its
 * protocol: the answer it parses (Washington first; documents back as they were sent, every field), a wrong key as
 * the SDK's own typed error, a bad request as its 400, a body over the server's limit as its 413. What each needs
 * set up is said where it is set up (docs/providers.md lists it too).
 */
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock"
import { createCohere } from "@ai-sdk/cohere"
import { createTogetherAI } from "@ai-sdk/togetherai"
import { BedrockAgentRuntimeClient, RerankCommand } from "@aws-sdk/client-bedrock-agent-runtime"
import { CohereRerank as LangChainCohereRerank } from "@langchain/cohere"
import { CohereRerank as LlamaIndexCohereRerank } from "@llamaindex/cohere"
import Mixedbread from "@mixedbread/sdk"
import { Errors as PineconeErrors, Pinecone } from "@pinecone-database/pinecone"
import { NodeHttpHandler } from "@smithy/node-http-handler"
import { rerank } from "ai"
import { CohereClient, CohereClientV2, CohereError } from "cohere-ai"
import Together from "together-ai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { VoyageAIClient, VoyageAIError } from "voyageai"
import { createVoyage } from "voyage-ai-provider"
import * as Server from "./Server.js"

let servers: Server.Servers
beforeAll(async () => {
  servers = await Server.start()
})
afterAll(() => servers.close())

const { best, documents, key, query, tooMany } = Server

/** What a call threw, to assert on; a call that succeeds fails the test. */
const thrown = async (call: () => Promise<unknown>): Promise<any> => {
  try {
    await call()
  } catch (error) {
    return error
  }
  throw new Error("expected the SDK to throw")
}

describe("cohere-ai 8.1 (CohereClientV2 and CohereClient)", () => {
  const v2 = (token = key) => new CohereClientV2({ token, environment: servers.keyed })
  const v1 = (token = key) => new CohereClient({ token, environment: servers.keyed })

  it("v2: ranks; a wrong key is UnauthorizedError 401; top_n 0 is BadRequestError 400; too large is 413", async () => {
    const answer = await v2().rerank({ model: "rerank-v3.5", query, documents, topN: 2 })
    expect(answer.results.map((r) => r.index)).toEqual([best, 2])
    const denied = await thrown(() => v2("wrong").rerank({ model: "rerank-v3.5", query, documents }))
    expect([denied.constructor.name, denied.statusCode, denied instanceof CohereError]).toEqual([
      "UnauthorizedError",
      401,
      true
    ])
    const bad = await thrown(() => v2().rerank({ model: "rerank-v3.5", query, documents, topN: 0 }))
    expect([bad.constructor.name, bad.statusCode, bad.body.message]).toEqual([
      "BadRequestError",
      400,
      "invalid request: top_n must be a positive integer"
    ])
    const large = await thrown(() => v2().rerank({ model: "rerank-v3.5", query, documents: tooMany }))
    expect([large.statusCode, large.body.message]).toEqual([413, "request body too large: limit is 65536 bytes"])
  })

  it("v1: objects with rank_fields come back whole, every field as sent", async () => {
    const objects = documents.map((text, i) => ({ id: `d${i}`, title: `t${i}`, text }))
    const answer = await v1().rerank({
      query,
      documents: objects,
      rankFields: ["text"],
      returnDocuments: true,
      topN: 1
    })
    expect(answer.results.map((r) => [r.index, r.document])).toEqual([[best, objects[best]]])
  })
})

describe("@langchain/cohere 1.0 (CohereRerank, its default options)", () => {
  it("ranks through the Cohere SDK, with the nulls it sends for unset options", async () => {
    const reranker = new LangChainCohereRerank({
      model: "rerank-v3.5",
      // LangChain builds its own client from the key alone; given one, it is pointed here. Its types are those of
      // the cohere-ai 7 it depends on.
      client: new CohereClient({ token: key, environment: servers.keyed }) as any
    })
    const ranked = await reranker.rerank(documents, query, { topN: 2 })
    expect(ranked.map((r) => r.index)).toEqual([best, 2])
    const compressed = await reranker.compressDocuments(
      documents.map((pageContent) => ({ pageContent, metadata: {} })),
      query
    )
    expect(compressed[0].pageContent).toBe(documents[best])
  })
})

describe("@llamaindex/cohere 0.0.37 (deprecated upstream; over cohere-ai 7.14)", () => {
  it("reranks nodes; a wrong key is the SDK's 401", async () => {
    const nodes = documents.map((text, i) => ({
      node: { getContent: () => text, id_: `n${i}`, metadata: {} },
      score: 0
    }))
    const reranker = new LlamaIndexCohereRerank({ apiKey: key, baseUrl: servers.keyed, topN: 2 })
    const ranked = await reranker.postprocessNodes(nodes as any, query)
    expect(ranked.map((n) => n.node.id_)).toEqual([`n${best}`, "n2"])
    const denied = await thrown(() =>
      new LlamaIndexCohereRerank({ apiKey: "wrong", baseUrl: servers.keyed }).postprocessNodes(nodes as any, query)
    )
    expect(denied.statusCode).toBe(401)
  })
})

describe("voyageai 0.4 (VoyageAIClient)", () => {
  const client = (apiKey = key) => new VoyageAIClient({ apiKey, environment: `${servers.keyed}/voyage/v1` })

  it("ranks; documents back when asked; a wrong key, a bad request and too large are VoyageAIError", async () => {
    const answer = await client().rerank({ query, documents, model: "rerank-2.5", topK: 2, returnDocuments: true })
    expect(answer.data?.map((r) => [r.index, r.document])).toEqual([
      [best, documents[best]],
      [2, documents[2]]
    ])
    const denied = await thrown(() => client("wrong").rerank({ query, documents, model: "rerank-2.5" }))
    expect([denied instanceof VoyageAIError, denied.statusCode, denied.body.detail]).toEqual([
      true,
      401,
      "invalid api token"
    ])
    const bad = await thrown(() => client().rerank({ query: " ", documents, model: "rerank-2.5" }))
    expect([bad instanceof VoyageAIError, bad.statusCode]).toEqual([true, 400])
    const large = await thrown(() => client().rerank({ query, documents: tooMany, model: "rerank-2.5" }))
    expect([large instanceof VoyageAIError, large.statusCode]).toEqual([true, 413])
  })
})

describe("@pinecone-database/pinecone 9.0 (inference.rerank)", () => {
  const pinecone = (apiKey = key) => new Pinecone({ apiKey, controllerHostUrl: `${servers.keyed}/pinecone` })

  it("ranks objects with rank_fields (the SDK always sends them) and returns them whole", async () => {
    const objects = documents.map((text, i) => ({ id: `d${i}`, text, year: String(2000 + i) }))
    const answer = await pinecone().inference.rerank({
      model: "bge-reranker-v2-m3",
      query,
      documents: objects,
      topN: 2
    })
    expect(answer.data.map((r) => [r.index, r.document])).toEqual([
      [best, objects[best]],
      [2, objects[2]]
    ])
  })

  it("a wrong key is PineconeAuthorizationError; a bad request and too large are the SDK's errors", async () => {
    const denied = await thrown(() =>
      pinecone("wrong").inference.rerank({ model: "bge-reranker-v2-m3", query, documents })
    )
    expect(denied).toBeInstanceOf(PineconeErrors.PineconeAuthorizationError)
    const bad = await thrown(() => pinecone().inference.rerank({ model: "bge-reranker-v2-m3", query: " ", documents }))
    expect(bad).toBeInstanceOf(PineconeErrors.PineconeBadRequestError)
    const large = await thrown(() =>
      pinecone().inference.rerank({ model: "bge-reranker-v2-m3", query, documents: tooMany })
    )
    expect(String(large.message)).toContain("413")
  })
})

describe("together-ai 0.52 (rerank.create)", () => {
  const together = (apiKey = key) => new Together({ apiKey, baseURL: `${servers.keyed}/together/v1`, maxRetries: 0 })

  it("ranks; objects with rank_fields come back whole; a wrong key, a bad request and too large are typed", async () => {
    const objects = documents.map((text, i) => ({ id: `d${i}`, text }))
    const answer = await together().rerank.create({
      model: "Salesforce/Llama-Rank-V1",
      query,
      documents: objects,
      rank_fields: ["text"],
      return_documents: true,
      top_n: 2
    })
    expect(answer.results.map((r) => [r.index, r.document])).toEqual([
      [best, objects[best]],
      [2, objects[2]]
    ])
    const denied = await thrown(() => together("wrong").rerank.create({ model: "m", query, documents }))
    expect([denied.constructor.name, denied.status]).toEqual(["AuthenticationError", 401])
    const bad = await thrown(() => together().rerank.create({ model: "m", query, documents, top_n: 0 }))
    expect([bad.constructor.name, bad.status]).toEqual(["BadRequestError", 400])
    const large = await thrown(() => together().rerank.create({ model: "m", query, documents: tooMany }))
    expect(large.status).toBe(413)
  })
})

describe("@mixedbread/sdk 0.78 (rerank)", () => {
  const mixedbread = (apiKey = key) => new Mixedbread({ apiKey, baseURL: `${servers.keyed}/mixedbread`, maxRetries: 0 })

  it("ranks without a model (the API's default); the input comes back as sent; errors are typed", async () => {
    const input = documents.map((text, i) => ({ id: `d${i}`, text }))
    const answer = await mixedbread().rerank({ query, input, rank_fields: ["text"], top_k: 2, return_input: true })
    expect(answer.data.map((r) => [r.index, r.input])).toEqual([
      [best, input[best]],
      [2, input[2]]
    ])
    const denied = await thrown(() => mixedbread("wrong").rerank({ query, input: documents }))
    expect([denied.constructor.name, denied.status]).toEqual(["AuthenticationError", 401])
    const bad = await thrown(() => mixedbread().rerank({ query, input: [] }))
    expect([bad.constructor.name, bad.status]).toEqual(["BadRequestError", 400])
    const large = await thrown(() => mixedbread().rerank({ query, input: tooMany }))
    expect(large.status).toBe(413)
  })
})

describe("@aws-sdk/client-bedrock-agent-runtime 3 (RerankCommand)", () => {
  // Set-up it needs: an HTTP/1.1 handler (the SDK's default may negotiate HTTP/2 with an endpoint), and an endpoint.
  const client = (endpoint: string) =>
    new BedrockAgentRuntimeClient({
      region: "us-west-2",
      endpoint: `${endpoint}/bedrock`,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1
    })
  const command = (texts: ReadonlyArray<string>, numberOfResults = 2) =>
    new RerankCommand({
      queries: [{ type: "TEXT", textQuery: { text: query } }],
      sources: texts.map((text) => ({
        type: "INLINE",
        inlineDocumentSource: { type: "TEXT", textDocument: { text } }
      })),
      rerankingConfiguration: {
        type: "BEDROCK_RERANKING_MODEL",
        bedrockRerankingConfiguration: {
          numberOfResults,
          modelConfiguration: { modelArn: "arn:aws:bedrock:us-west-2::foundation-model/amazon.rerank-v1:0" }
        }
      }
    })

  it("ranks (SigV4, on a server without a key); exceptions by name from x-amzn-ErrorType", async () => {
    const answer = await client(servers.open).send(command(documents))
    expect(answer.results?.map((r) => r.index)).toEqual([best, 2])
    // A keyed server cannot check a SigV4 signature: the SDK's own exception for a key it does not know.
    const denied = await thrown(() => client(servers.keyed).send(command(documents)))
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(["UnrecognizedClientException", 401])
    const bad = await thrown(() => client(servers.open).send(command([])))
    expect([bad.name, bad.$metadata.httpStatusCode]).toEqual(["ValidationException", 400])
    const large = await thrown(() => client(servers.open).send(command(tooMany)))
    expect([large.name, large.$metadata.httpStatusCode]).toEqual(["ValidationException", 413])
  })
})

describe("the AI SDK 7 (rerank) with its cohere, togetherai, voyage and amazon-bedrock providers", () => {
  const models = () => ({
    cohere: createCohere({ apiKey: key, baseURL: `${servers.keyed}/v2` }).reranking("rerank-v3.5"),
    together: createTogetherAI({ apiKey: key, baseURL: `${servers.keyed}/together/v1` }).reranking(
      "Salesforce/Llama-Rank-V1"
    ),
    voyage: createVoyage({ apiKey: key, baseURL: `${servers.keyed}/voyage/v1` }).reranking("rerank-2.5"),
    bedrock: createAmazonBedrock({ region: "us-west-2", apiKey: key, baseURL: `${servers.keyed}/bedrock` }).reranking(
      "amazon.rerank-v1:0"
    )
  })

  it("each provider ranks Washington first", async () => {
    for (const [name, model] of Object.entries(models())) {
      const { ranking } = await rerank({ model, query, documents, topN: 2 })
      expect([name, ranking.map((r) => r.originalIndex)]).toEqual([name, [best, 2]])
    }
  })

  it("a wrong key is the AI SDK's APICallError with status 401, not retried", async () => {
    const wrong = createCohere({ apiKey: "wrong", baseURL: `${servers.keyed}/v2` }).reranking("rerank-v3.5")
    const denied = await thrown(() => rerank({ model: wrong, query, documents, maxRetries: 0 }))
    expect([denied.name, denied.statusCode, denied.isRetryable]).toEqual(["AI_APICallError", 401, false])
  })
})
