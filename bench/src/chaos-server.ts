/**
 * The server side of `pnpm bench:chaos`, in its own process: our server over the local reranker with the fault
 * rules given as arguments (`--fault` syntax) and seed 42. Reports its port over IPC, and its open connection count
 * when asked.
 */
import { FaultInjection, NodeServer } from "@effect-rerank/server"
import { NodeRuntime } from "@effect/platform-node"
import { HttpServer } from "@effect/platform"
import { Effect, Either, Layer, Logger, LogLevel } from "effect"

const rules = process.argv.slice(2).map((spec) => Either.getOrThrow(FaultInjection.parseRule(spec)))

const report = Layer.effectDiscard(
  HttpServer.addressWith((address) =>
    Effect.sync(() => process.send!({ port: address._tag === "TcpAddress" ? address.port : 0 }))
  )
)

Layer.launch(report.pipe(Layer.provide(NodeServer.layerLocal({ port: 0, faults: { rules, seed: 42 } })))).pipe(
  Logger.withMinimumLogLevel(LogLevel.None),
  NodeRuntime.runMain
)
