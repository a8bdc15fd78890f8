/**
 * What a gateway (`rerank serve --upstream`) puts between its callers and the upstream reranker: each protocol's
 * clients name their own vendor's models (a Jina client asks for `jina-reranker-v2-base-multilingual`), which another
 * vendor would refuse, so the upstream is asked for a model of its own: the caller's when the upstream serves it, a
 * mapped one (`--model-map from=to`), else the gateway's (`--upstream-model`, default the upstream's own). The model
 * asked and the model used are both on the request's log line.
 *
 * @since 0.2.0
 */
import { Reranker } from "@effect-rerank/core"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"

/**
 * The start of the server's 502 message when the reranker behind it refuses the server's own key (a gateway's
 * upstream key): the caller's key is not the problem, the gateway's configuration is. The CLI reads it back to say so.
 *
 * @since 0.2.0
 * @category constants
 */
export const upstreamCredentialsRefused = "bad gateway: the upstream refused the gateway's credentials"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The upstream's model when the caller's is neither served nor mapped. Default: the upstream's own default. */
  readonly model?: string | undefined
  /** The models the upstream serves (its registry entry's `models`): a caller naming one gets it. */
  readonly serves: ReadonlyArray<string>
  /** A caller's model to the upstream's, checked first. */
  readonly map?: Readonly<Record<string, string>> | undefined
}

/**
 * The model the upstream is asked for when a caller asks for `asked`; `undefined` leaves the upstream's default.
 *
 * @since 0.2.0
 * @category models
 */
export const modelFor = (options: Options, asked: string | undefined): string | undefined => {
  if (asked === undefined) return options.model
  const mapped = options.map === undefined || !Object.hasOwn(options.map, asked) ? undefined : options.map[asked]
  if (mapped !== undefined) return mapped
  return options.serves.includes(asked) ? asked : options.model
}

/** Said on the request's log line (the server writes one per request, after the answer). */
const note = (key: string, value: string) =>
  FiberRef.update(FiberRef.currentLogAnnotations, HashMap.set<string, unknown>(key, value))

/**
 * The upstream `Reranker`, asked for models of its own.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Reranker.Reranker, never, Reranker.Reranker> =>
  Layer.effect(
    Reranker.Reranker,
    Effect.map(Reranker.Reranker, (upstream) => ({
      rerank: (request) =>
        Effect.zipRight(
          note("model_asked", request.model ?? "(none)"),
          upstream
            .rerank({ ...request, model: modelFor(options, request.model) })
            .pipe(Effect.tap((result) => note("model", result.model)))
        )
    }))
  )
