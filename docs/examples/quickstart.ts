import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { FetchHttpClient } from "@effect/platform"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Duration, Effect, Layer, Option } from "effect"

const documents = [
  "Carson City is the capital city of the American state of Nevada.",
  "The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.",
  "Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word.",
  "Washington, D.C. (also known as simply Washington or D.C.) is the capital of the United States.",
  "Capital punishment has existed in the United States since before the United States was a country."
]

const program = Effect.gen(function* () {
  const { results } = yield* Reranker.rerank({ query: "What is the capital of the United States?", documents, topN: 3 })
  for (const { rank, score, document } of results) yield* Console.log(`${rank}. ${score.toFixed(3)}  ${document}`)
}).pipe(
  Effect.catchTags({
    AuthenticationError: (error) => Console.error(`Check COHERE_API_KEY: ${error.message}`),
    RateLimitError: (error) =>
      Console.error(
        `Rate limited; retry in ${Option.getOrElse(Option.map(error.retryAfter, Duration.format), () => "a minute")}`
      ),
    TimeoutError: (error) => Console.error(`Timed out after ${Duration.format(error.timeout)}`)
  })
)

// COHERE_API_KEY (or CO_API_KEY) is read when the layer is built; a missing key fails here, naming the variable.
const RerankerLive = Cohere.layerConfig({ model: Config.succeed("rerank-v3.5") }).pipe(
  Layer.provide(FetchHttpClient.layer)
)

// runMain reports a failure (a missing key: its variable's name first) on stderr and exits non-zero.
program.pipe(Effect.provide(RerankerLive), NodeRuntime.runMain)
