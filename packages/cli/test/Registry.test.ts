/**
 * One registry, everything else derived: a provider added to it in one line is served by the server (a route under
 * its name, named in the 404 text) and offered by the CLI (`--provider` and `--upstream`, with its variables in the
 * help); a third party's provider needs no server half of its own to be a client.
 */
import { Registry } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer, ServerProtocols } from "@effect-rerank/server"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { Acme, acme } from "../../../docs/examples/own-provider.js"
import * as QueryCommand from "../src/QueryCommand.js"
import * as ServeCommand from "../src/ServeCommand.js"

// The one line: the docs' example provider, registered beside the package's own.
const providers = [...Registry.providers, Registry.entry("acme", "Acme", { protocol: acme, ...Acme })]

const helpOf = (command: Command.Command<any, any, any, any>) =>
  HelpDoc.toAnsiText(Command.getHelp(command, CliConfig.defaultConfig))

/** A server on a free loopback port serving `routes` over the local reranker, for the scope: its URL. */
const serve = (routes: ReadonlyArray<ServerProtocols.Route>) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, routes }).pipe(
        Layer.provide(LocalReranker.layer()),
        Layer.provide(Logger.remove(Logger.defaultLogger))
      )
    )
    return yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address)).pipe(Effect.provide(context))
  })

const post = (url: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body: JSON.stringify(body) })
    return { status: response.status, body: (await response.json()) as any }
  })

describe("the registry", () => {
  it("lists every provider of the package once, by name", () => {
    expect(Registry.providers.map((p) => p.name)).toEqual([
      "cohere",
      "jina",
      "voyage",
      "mixedbread",
      "pinecone",
      "together",
      "tei",
      "vllm",
      "bedrock",
      "nim",
      "vertex",
      "zeroentropy",
      "contextual",
      "openrouter"
    ])
    // Each entry's protocol is its own module's.
    const systems: Record<string, string> = { bedrock: "aws.bedrock", nim: "nvidia.nim", vertex: "gcp.vertex_ai" }
    for (const entry of Registry.providers) expect(entry.protocol.system).toBe(systems[entry.name] ?? entry.name)
  })

  it("a provider added in one line is offered by the CLI's query and serve, its variables in the help", () => {
    const query = helpOf(QueryCommand.make(providers))
    expect(query).toContain("acme (ACME_API_KEY)")
    expect(query).toContain("jina (JINA_API_KEY)")
    expect(query).toContain("tei (TEI_BASE_URL)")
    expect(query).toContain("nim (NVIDIA_API_KEY (or NVIDIA_NIM_API_KEY), or NIM_BASE_URL for your own server)")
    expect(query).toContain(
      "vertex (GOOGLE_CLOUD_PROJECT, GOOGLE_APPLICATION_CREDENTIALS (or GOOGLE_OAUTH_ACCESS_TOKEN))"
    )
    expect(query).toContain("zeroentropy (ZEROENTROPY_API_KEY)")
    expect(query).toContain("contextual (CONTEXTUAL_API_KEY)")
    expect(query).toContain("openrouter (OPENROUTER_API_KEY)")
    expect(helpOf(ServeCommand.make(providers))).toContain("acme (ACME_API_KEY)")
    // Not registered, not offered.
    expect(helpOf(QueryCommand.make(Registry.providers))).not.toContain("acme")
  })

  it.live("and served under its name, named in the 404 text, when the server has a half for it", () =>
    Effect.gen(function* () {
      const routes = ServerProtocols.routesOf(providers, {
        ...ServerProtocols.byName,
        acme: ServerProtocols.byName.cohere
      })
      expect(routes.map((r) => r.prefix)).toEqual([
        "",
        "/jina",
        "/voyage",
        "/mixedbread",
        "/pinecone",
        "/together",
        "/tei",
        "/vllm",
        "/bedrock",
        "/nim",
        "/vertex",
        "/zeroentropy",
        "/contextual",
        "/openrouter",
        "/acme"
      ])
      const url = yield* serve(routes)
      const served = yield* post(`${url}/acme/v2/rerank`, { model: "m", query: "q", documents: ["a q", "b"] })
      expect(served.status).toBe(200)
      expect(served.body.results.map((r: { index: number }) => r.index)).toEqual([0, 1])
      const missing = yield* post(`${url}/nowhere`, {})
      expect(missing.status).toBe(404)
      expect(missing.body.message).toBe(
        "not found: this server answers POST /v2/rerank and POST /v1/rerank, and each other protocol under its name (/jina/v1/rerank, /voyage/v1/rerank, /mixedbread/v1/reranking, /pinecone/rerank, /together/v1/rerank, /tei/rerank, /vllm/v2/rerank, /bedrock/rerank, /nim/v1/ranking, /vertex/v1/projects/{project}/locations/{location}/rankingConfigs/{rankingConfig}:rank, /zeroentropy/v1/models/rerank, /contextual/v1/rerank, /openrouter/api/v1/rerank, /acme/v2/rerank)"
      )
      // Without a server half, a client-only provider is simply not served.
      expect(ServerProtocols.routesOf(providers).map((r) => r.name)).not.toContain("acme")
    }).pipe(Effect.scoped)
  )
})
