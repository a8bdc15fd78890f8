/**
 * One worker of `pnpm bench:fleet`, in its own process: sends `count` rerank calls to the upstream as fast as
 * `concurrency` allows, through the Cohere layer, sharing the quota on Redis when given one, and prints what happened
 * as one JSON line. Usage: fleet-worker.ts <upstream> <redis-url|none> <count> <concurrency> <limit> <windowMs>
 */
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { Stores } from "@effect-rerank/server"
import { FetchHttpClient } from "@effect/platform"
import { Duration, Effect, Layer, Logger, Redacted } from "effect"

const [upstream, redis, count, concurrency, limit, windowMs] = process.argv.slice(2)
const shared = redis !== "none"

const reranker = Cohere.layer({
  apiKey: Redacted.make("fleet-key"),
  baseUrl: upstream,
  // Without a shared quota a worker can only retry its 429s (honouring Retry-After): give it room to get through.
  retry: shared ? undefined : { maxRetries: 20, base: "100 millis", cap: "5 seconds" },
  ...(shared ? { rateLimit: { limit: Number(limit), window: Duration.millis(Number(windowMs)) } } : {})
}).pipe(Layer.provide(Layer.merge(FetchHttpClient.layer, shared ? Stores.layerQuota(redis) : Layer.empty)), Layer.orDie)

const documents = ["Paris is the capital of France.", "Berlin is in Germany.", "Rome is the capital of Italy."]

const program = Effect.gen(function* () {
  const startedAt = Date.now()
  const outcomes = yield* Effect.all(
    Array.from({ length: Number(count) }, () =>
      Effect.either(Reranker.rerank({ query: "capital of France", documents }))
    ),
    { concurrency: Number(concurrency) }
  )
  const failed = outcomes.filter((o) => o._tag === "Left").length
  return { ok: outcomes.length - failed, failed, startedAt, endedAt: Date.now() }
}).pipe(Effect.provide(reranker), Effect.provide(Logger.remove(Logger.defaultLogger)))

process.stdout.write(JSON.stringify(await Effect.runPromise(program)) + "\n")
process.exit(0)
