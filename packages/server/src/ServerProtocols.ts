/**
 * The server's half of every protocol in `@effect-rerank/http`'s `Registry`, by the provider's name, and the routes
 * the server derives from the registry: Cohere's paths at the root (the paths every Cohere client knows), each
 * provider's under `/<name>`, so that its own client or SDK can be pointed at `<server>/<name>`.
 *
 * @since 0.2.0
 */
import { Registry } from "@effect-rerank/http"
import { bedrock } from "./internal/protocols/bedrock.js"
import { cohere } from "./internal/protocols/cohere.js"
import { contextual } from "./internal/protocols/contextual.js"
import { jina } from "./internal/protocols/jina.js"
import { mixedbread } from "./internal/protocols/mixedbread.js"
import { nim } from "./internal/protocols/nim.js"
import { openrouter } from "./internal/protocols/openrouter.js"
import { pinecone } from "./internal/protocols/pinecone.js"
import { tei } from "./internal/protocols/tei.js"
import { together } from "./internal/protocols/together.js"
import { vertex } from "./internal/protocols/vertex.js"
import { vllm } from "./internal/protocols/vllm.js"
import { voyage } from "./internal/protocols/voyage.js"
import { zeroentropy } from "./internal/protocols/zeroentropy.js"
import type * as ServerProtocol from "./ServerProtocol.js"

/**
 * @since 0.2.0
 * @category constants
 */
export const byName: Readonly<Record<string, ServerProtocol.ServerProtocol>> = {
  cohere,
  jina,
  voyage,
  mixedbread,
  pinecone,
  together,
  tei,
  vllm,
  bedrock,
  nim,
  vertex,
  zeroentropy,
  contextual,
  openrouter
}

/**
 * One protocol served under a prefix.
 *
 * @since 0.2.0
 * @category models
 */
export interface Route {
  readonly name: string
  /** `""` for Cohere (at the root), `/<name>` for the others. */
  readonly prefix: string
  readonly protocol: ServerProtocol.ServerProtocol
}

/**
 * The routes for `providers` that have a server half in `halves`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const routesOf = (
  providers: ReadonlyArray<Registry.Entry>,
  halves: Readonly<Record<string, ServerProtocol.ServerProtocol>> = byName
): ReadonlyArray<Route> =>
  providers.flatMap(({ name }) => {
    const protocol = halves[name]
    return protocol === undefined ? [] : [{ name, prefix: name === "cohere" ? "" : `/${name}`, protocol }]
  })

/**
 * Every provider of the registry.
 *
 * @since 0.2.0
 * @category constants
 */
export const routes: ReadonlyArray<Route> = routesOf(Registry.providers)

/**
 * What a server on `routes` answers to a path it does not know: every path it does.
 *
 * @since 0.2.0
 * @category utils
 */
export const notFoundMessage = (served: ReadonlyArray<Route>): string => {
  const root = served.filter((r) => r.prefix === "").flatMap((r) => r.protocol.paths.map((path) => `POST ${path}`))
  const named = served.filter((r) => r.prefix !== "").map((r) => `${r.prefix}${r.protocol.paths[0]}`)
  return (
    `not found: this server answers ${root.join(" and ")}` +
    (named.length === 0 ? "" : `, and each other protocol under its name (${named.join(", ")})`)
  )
}
