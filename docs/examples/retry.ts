import { RerankError, RetryPolicy } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { Config, Schedule } from "effect"

// The default policy, but give up on anything after 20 seconds in total.
export const bounded = Cohere.layerConfig({
  retry: Config.succeed(RetryPolicy.make().pipe(Schedule.upTo("20 seconds")))
})

// Your own: retry only rate limits, every 5 seconds, at most 10 times.
const rateLimitsOnly = Schedule.spaced("5 seconds").pipe(
  Schedule.intersect(Schedule.recurs(10)),
  Schedule.whileInput((error: RerankError.RerankError) => error._tag === "RateLimitError")
)
export const patient = Cohere.layerConfig({ retry: Config.succeed(rateLimitsOnly) })

// Tuning the default policy, or turning retries off.
export const eager = Cohere.layerConfig({
  retry: Config.succeed({ maxRetries: 5, base: "500 millis", cap: "10 seconds" })
})
export const once = Cohere.layerConfig({ retry: Config.succeed({ maxRetries: 0 }) })
