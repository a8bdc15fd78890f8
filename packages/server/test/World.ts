/**
 * A world of rerank services for tests where features meet: one scripted `HttpClient` that answers every provider's
 * protocol at any host, through that protocol's own server half (`ServerProtocols`, over the client's schemas), with scores
 * that depend on everything that decides a real score (the service's host, the model, the scoring options, the
 * query and the text) and on nothing else (not the key). Every request is recorded as the service saw it.
 *
 * Hosts are named after the protocol they speak: `https://jina-a.test` speaks Jina's.
 */
import { Registry } from "@effect-rerank/http"
import { ServerProtocols } from "@effect-rerank/server"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

/** The client's half of each protocol, by provider name: for its default model. */
export const protocols = Object.fromEntries(Registry.providers.map((entry) => [entry.name, entry.protocol]))

export type System =
  | "cohere"
  | "jina"
  | "voyage"
  | "mixedbread"
  | "pinecone"
  | "together"
  | "tei"
  | "vllm"
  | "bedrock"
  | "nim"
  | "vertex"
  | "zeroentropy"
  | "contextual"
  | "openrouter"

/** A request as the service saw it. */
export interface Seen {
  readonly host: string
  readonly system: System
  readonly model: string
  readonly documents: ReadonlyArray<string>
  readonly topN: number | undefined
  /** The credential it carried: a bearer key, Pinecone's Api-Key, or SigV4's access key id. */
  readonly key: string | undefined
}

/** The body fields that change a score in some protocol (truncation, token limits, raw logits). */
const scoringOf = (body: any): string =>
  JSON.stringify([
    body?.max_tokens_per_doc,
    body?.max_chunks_per_doc,
    body?.truncation,
    body?.truncate,
    body?.raw_scores,
    body?.truncate_prompt_tokens,
    body?.parameters,
    // OpenRouter's routing picks the vendor that scores.
    body?.provider
  ])

/** The scoring fingerprint of a body that sets no scoring option. */
export const noScoring = scoringOf(undefined)

/** FNV-1a over the parts, to [0, 1): a deterministic score that changes with every part. */
export const score = (...parts: ReadonlyArray<string>): number => {
  let hash = 0x811c9dc5
  for (const char of parts.join("\u0000")) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash / 2 ** 32
}

const keyOf = (headers: Readonly<Record<string, string>>): string | undefined => {
  const authorization = headers["authorization"]
  if (authorization?.startsWith("Bearer ")) return authorization.slice("Bearer ".length)
  const credential = /Credential=([^/]+)\//.exec(authorization ?? "")
  return credential?.[1] ?? headers["api-key"]
}

/** What a request failing in this world answers instead; undefined lets it through. */
export type Failure = (seen: Seen, call: number) => Scripted.Step | undefined

export const make = (fail: Failure = () => undefined) => {
  const seen: Array<Seen> = []
  const scripted = Scripted.make((body, call, request) => {
    const url = new URL(request!.url)
    const system = url.hostname.split(/[-.]/)[0] as System
    const protocol = ServerProtocols.byName[system]
    const decoded = protocol.decodeRequest(body, url.pathname)
    if (decoded._tag === "Left") return Scripted.json(400, protocol.encodeError(400, decoded.left))
    const { query, texts, topN } = decoded.right
    const model = decoded.right.model ?? protocols[system].defaults.model
    const request_: Seen = { host: url.host, system, model, documents: texts, topN, key: keyOf(request!.headers) }
    seen.push(request_)
    const failed = fail(request_, call)
    if (failed !== undefined) return failed
    const scoring = scoringOf(body)
    const results = texts
      .map((text, index) => ({ index, score: score(url.host, model, scoring, query, text) }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, topN ?? texts.length)
    const path = url.pathname
    return Scripted.json(
      200,
      protocol.encodeResponse({ path, call: decoded.right, model, results, searchUnits: 1, tokens: 0 })
    )
  })
  return { layer: scripted.layer, seen, calls: scripted.calls }
}
