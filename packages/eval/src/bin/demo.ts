/**
 * `pnpm eval:demo`: `rerank eval` as a user runs it, offline. Vaswani (the shared conformance data) with its BM25
 * first stage; the local reranker in two configurations (`local`, `local:idf`); and a third reranker reached the way a
 * hosted one is: `rerank serve` on loopback, keyed, answering Jina's protocol under `/jina` (a local reranker with
 * more weight on proximity behind it), called through `--reranker jina@<url>` with `JINA_API_KEY`. Prints the table
 * and writes the report to `eval-report/` (or REPORT_DIR). Needs `pnpm build` first (the script runs it).
 */
import { NodeServer } from "@effect-rerank/server"
import { CorpusStats, LocalReranker } from "@effect-rerank/local"
import { HttpServer } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Conformance from "../Conformance.js"
import * as Datasets from "../Datasets.js"

const vaswani = `${Conformance.dir}datasets/vaswani`
const report = process.env.REPORT_DIR ?? "eval-report"
const bin = fileURLToPath(new URL("../../../cli/dist/bin.js", import.meta.url))
const key = "demo-key"

const program = Effect.gen(function* () {
  const dataset = yield* Datasets.fromBeir(vaswani)
  // Behind the server: the local reranker with the collection's term weights and twice the default proximity weight.
  const behind = LocalReranker.layer({ corpus: CorpusStats.fromTexts(dataset.corpus.values()), proximityWeight: 0.4 })
  const context = yield* Layer.build(
    NodeServer.layer({ port: 0, host: "127.0.0.1", apiKey: Redacted.make(key) }).pipe(
      Layer.provide(behind),
      // The server's request log would interleave with the table.
      Layer.provide(Logger.minimumLogLevel(LogLevel.None))
    )
  )
  const url = yield* HttpServer.addressWith((address) =>
    Effect.succeed(address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "")
  ).pipe(Effect.provide(context))
  const args = [
    bin,
    "eval",
    "--beir",
    vaswani,
    "--reranker",
    "local",
    "--reranker",
    "local:idf",
    "--reranker",
    `served-jina=jina@${url}/jina`,
    "--report",
    report,
    // A fresh run each time: the demo shows the full path, not a resumed one.
    "--state",
    `${report}/.state-${Date.now()}`
  ]
  console.log(`$ JINA_API_KEY=${key} rerank ${args.slice(1).join(" ")}\n`)
  // Another process, as a user's would be; this one serves its calls meanwhile.
  process.exitCode = yield* Effect.async<number>((resume) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, JINA_API_KEY: key } })
    child.on("exit", (code) => resume(Effect.succeed(code ?? 1)))
  })
}).pipe(Effect.scoped, Conformance.requireData("pnpm eval:demo"))

program.pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
