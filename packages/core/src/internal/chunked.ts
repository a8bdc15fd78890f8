/**
 * A call over chunks: each document split (`Chunking.split`), every chunk scored by the engine as a document of its
 * own (windows, retries, cache and all), then each document's score aggregated from its chunks' and the documents
 * ranked, filtered and cut as a plain call would be. Each result names the chunk that decided it.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Mutable } from "effect/Types"
import * as Chunking from "../Chunking.js"
import type { InvalidRequestError, RerankError } from "../RerankError.js"
import type * as RerankRequest from "../RerankRequest.js"
import type * as RerankResult from "../RerankResult.js"

/** The chunking of a call: its own `chunk` (or `false`), else the layer's. */
export const chunkingOf = (
  layer: Chunking.Resolved | undefined,
  requested: Chunking.Options | false | undefined
): Either.Either<Chunking.Resolved | undefined, InvalidRequestError> =>
  requested === false
    ? Either.right(undefined)
    : requested === undefined
      ? Either.right(layer)
      : Chunking.resolveRequest(requested)

export const run = <A>(
  request: RerankRequest.RerankRequest<A>,
  chunking: Chunking.Resolved,
  engine: {
    /** The documents' texts as the provider reads them (its encoding of `fields`). */
    readonly textsOf: (request: RerankRequest.RerankRequest<A>) => Either.Either<ReadonlyArray<string>, RerankError>
    readonly checkMinScore: (model: string | undefined) => Effect.Effect<unknown, RerankError>
    readonly scoreChunks: (
      chunks: RerankRequest.RerankRequest<string>
    ) => Effect.Effect<RerankResult.RerankResult<string>, RerankError>
  }
): Effect.Effect<RerankResult.RerankResult<A>, RerankError> =>
  Effect.gen(function* () {
    const texts = yield* engine.textsOf(request)
    yield* engine.checkMinScore(request.model)
    const chunks = texts.map((text) => Chunking.split(text, chunking))
    // Document i's chunks are flat[first[i]] .. flat[first[i + 1] - 1].
    const first = new Array<number>(texts.length + 1)
    const flat: Array<string> = []
    for (let i = 0; i < chunks.length; i++) {
      first[i] = flat.length
      for (const chunk of chunks[i]) flat.push(chunk.text)
    }
    first[texts.length] = flat.length
    // Every chunk's score is needed: no topN or minScore on the chunks.
    const scored = yield* engine.scoreChunks({
      query: request.query,
      documents: flat,
      model: request.model,
      instruction: request.instruction
    })
    const scoreOf = new Array<number | undefined>(flat.length)
    for (const result of scored.results) scoreOf[result.index] = result.score
    const ranked: Array<Mutable<RerankResult.Ranked<A>>> = []
    for (let i = 0; i < texts.length; i++) {
      const own: Array<number> = []
      const at: Array<number> = []
      for (let c = first[i]; c < first[i + 1]; c++) {
        const score = scoreOf[c]
        if (score === undefined) continue
        own.push(score)
        at.push(c - first[i])
      }
      // A provider that answered for none of this document's chunks (a short answer, already warned of).
      if (own.length === 0) continue
      const { decided, score } = Chunking.aggregate(own, chunking.aggregate)
      const chunk = chunks[i][at[decided]]
      ranked.push({
        index: i,
        rank: 0,
        score,
        document: request.documents[i],
        chunk: { index: at[decided], start: chunk.start, end: chunk.end }
      })
    }
    // Best first; ties by input position, as the merge of windows orders them.
    ranked.sort((a, b) => b.score - a.score || a.index - b.index)
    const results: Array<RerankResult.Ranked<A>> = []
    const limit = request.topN ?? ranked.length
    for (const result of ranked) {
      if (results.length >= limit) break
      if (request.minScore !== undefined && result.score < request.minScore) continue
      result.rank = results.length + 1
      results.push(result)
    }
    return { ...scored, results }
  })
