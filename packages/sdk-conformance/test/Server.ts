/**
 * `rerank serve`'s server, in process, over the local reranker, on a free loopback port: what every SDK here is
 * pointed at, unchanged but for its base URL. Two of them: one that wants a key, one that does not (AWS's SDK signs
 * with SigV4, which no server can check without the caller's secret).
 */
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { Effect, Exit, Layer, Logger, Redacted, Scope } from "effect"

export const key = "sdk-key"

/** Bodies past this are refused with 413: small, so that an SDK's over-limit call is cheap to make. */
export const maxBodyBytes = 64 * 1024

export const query = "What is the capital of the United States?"

export const documents = [
  "Carson City is the capital city of the American state of Nevada.",
  "Washington, D.C. (also known as simply Washington or D.C.) is the capital of the United States.",
  "Capital punishment has existed in the United States since before the United States was a country."
]

/** Where Washington is: what every SDK must put first. */
export const best = 1

/** More than `maxBodyBytes` of documents. */
export const tooMany = Array.from({ length: 100 }, (_, i) => `document ${i} ${"x".repeat(1000)}`)

export interface Servers {
  readonly keyed: string
  readonly open: string
  readonly close: () => Promise<void>
}

export const start = async (): Promise<Servers> => {
  const scope = Effect.runSync(Scope.make())
  const serve = (options: NodeServer.Options) =>
    Effect.flatMap(
      Layer.buildWithScope(
        NodeServer.layer({ port: 0, maxBodyBytes, ...options }).pipe(
          Layer.provide(LocalReranker.layer()),
          Layer.provide(Logger.remove(Logger.defaultLogger))
        ),
        scope
      ),
      (context) => HttpServer.addressFormattedWith(Effect.succeed).pipe(Effect.provide(context))
    )
  const keyed = await Effect.runPromise(serve({ apiKey: Redacted.make(key) }))
  const open = await Effect.runPromise(serve({}))
  return { keyed, open, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
