/**
 * `rerank eval` as a user runs it: the built binary over a BEIR folder and over TREC files written here (whose answers
 * are known), a provider served by `rerank serve` on loopback, the report written, a resumed run, and every misuse said
 * in one `rerank:` line with its exit code.
 */
import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { rerank, type Run } from "./RunCli.js"

const timeout = 60_000

/**
 * 8 queries about animals, 4 candidates each: the first stage ranks the one relevant document (the one naming the
 * query's animal) last; every reranker reading the words finds it first.
 */
const animals = ["otter", "heron", "badger", "falcon", "salmon", "beetle", "walrus", "lynx"]
const write = (dir: string) => {
  mkdirSync(join(dir, "qrels"), { recursive: true })
  mkdirSync(join(dir, "runs"), { recursive: true })
  const corpus: Array<string> = []
  const queries: Array<string> = []
  const qrels = ["query-id\tcorpus-id\tscore"]
  const run: Array<string> = []
  const trecTopics: Array<string> = []
  const trecQrels: Array<string> = []
  animals.forEach((animal, q) => {
    queries.push(JSON.stringify({ _id: `q${q}`, text: `where does the ${animal} live` }))
    trecTopics.push(`q${q}\twhere does the ${animal} live`)
    for (let i = 0; i < 4; i++) {
      const id = `d${q}-${i}`
      const text = i === 3 ? `the ${animal} lives near water and forests` : `an unrelated note number ${i} on weather`
      corpus.push(JSON.stringify({ _id: id, title: "", text }))
      run.push(`q${q} Q0 ${id} ${i + 1} ${10 - i} bm25`)
    }
    qrels.push(`q${q}\td${q}-3\t1`)
    trecQrels.push(`q${q} 0 d${q}-3 1`)
  })
  writeFileSync(join(dir, "corpus.jsonl"), corpus.join("\n") + "\n")
  writeFileSync(join(dir, "queries.jsonl"), queries.join("\n") + "\n")
  writeFileSync(join(dir, "qrels", "test.tsv"), qrels.join("\n") + "\n")
  writeFileSync(join(dir, "runs", "bm25.trec"), run.join("\n") + "\n")
  writeFileSync(join(dir, "topics.tsv"), trecTopics.join("\n") + "\n")
  writeFileSync(join(dir, "qrels.trec"), trecQrels.join("\n") + "\n")
}

const keyedServer = (key: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, host: "127.0.0.1", apiKey: Redacted.make(key) }).pipe(
        Layer.provide(LocalReranker.layer())
      )
    )
    return yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address)).pipe(Effect.provide(context))
  })

describe("rerank eval", () => {
  it.scopedLive(
    "a BEIR folder, the local reranker and a served provider: the table, the report, exact values",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-eval-beir-"))
        write(dir)
        const url = yield* keyedServer("eval-key")
        const report = join(dir, "report")
        const run = yield* rerank(
          [
            "eval",
            "--beir",
            dir,
            "--reranker",
            "local",
            "--reranker",
            `served=jina@${url}/jina`,
            "--metrics",
            "ndcg@10,mrr,p@1",
            "--report",
            report,
            "--trials",
            "1000"
          ],
          { JINA_API_KEY: "eval-key" }
        )
        expect(run.stderr).toContain(`report: ${report}/report.html`)
        expect(run.code).toBe(0)
        const lines = run.stdout.trim().split("\n")
        expect(lines[0]).toContain("8 queries, top 100 of the first stage reranked")
        expect(lines[1]).toMatch(/^system\s+ndcg@10 \[95% CI\]\s+mrr \[95% CI\]\s+p@1 \[95% CI\]/)
        // The first stage finds the relevant document 4th: MRR 0.25, P@1 0.
        expect(lines[2]).toMatch(/^first stage\s+0\.4307 \[0\.4307, 0\.4307\]\s+0\.2500 \[0\.2500, 0\.2500\]\s+0\.0000/)
        expect(lines[3]).toMatch(/^local\s+1\.0000 \[1\.0000, 1\.0000\]\s+1\.0000 \[1\.0000, 1\.0000\]\s+1\.0000/)
        expect(lines[4]).toMatch(/^served\s+1\.0000/)
        const results = JSON.parse(readFileSync(join(report, "results.json"), "utf8"))
        expect(results.systems.map((s: { name: string }) => s.name)).toEqual(["first stage", "local", "served"])
        expect(results.systems[2].usage.requests).toBe(8)
        expect(existsSync(join(report, "report.html"))).toBe(true)
        expect(readFileSync(join(report, "per-query.csv"), "utf8").split("\n")[0]).toBe(
          "query,system,ndcg@10,mrr,p@1,latency_ms"
        )

        // Again: every query comes from the store; the served reranker is not called (its server is not needed).
        const again = yield* rerank(
          [
            "eval",
            "--beir",
            dir,
            "--reranker",
            "local",
            "--reranker",
            `served=jina@http://127.0.0.1:9/jina`,
            "--report",
            report,
            "--metrics",
            "ndcg@10,mrr,p@1",
            "--trials",
            "1000"
          ],
          { JINA_API_KEY: "eval-key" }
        )
        expect(again.code).toBe(0)
        expect(again.stdout).toBe(run.stdout)
      }),
    timeout
  )

  it.live(
    "TREC files: topics, qrels, a run and a corpus",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-eval-trec-"))
        write(dir)
        const run = yield* rerank([
          "eval",
          "--topics",
          join(dir, "topics.tsv"),
          "--qrels",
          join(dir, "qrels.trec"),
          "--run",
          join(dir, "runs", "bm25.trec"),
          "--corpus",
          join(dir, "corpus.jsonl"),
          "--reranker",
          "local:idf",
          "--metrics",
          "mrr",
          "--state",
          join(dir, "state")
        ])
        expect(run.code).toBe(0)
        expect(run.stdout).toMatch(/local:idf\s+1\.0000 \[1\.0000, 1\.0000\]\s+\+0\.7500/)
      }),
    timeout
  )

  it.live(
    "misuse, each in one rerank: line: no data, no reranker, an unknown one, a bad measure, a hole in the corpus",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-eval-bad-"))
        write(dir)
        const expectLine = (run: Run, code: number, text: string) => {
          expect(run.code).toBe(code)
          expect(run.stderr.trim().split("\n")).toEqual([`rerank: ${text}`])
        }
        expectLine(
          yield* rerank(["eval", "--reranker", "local"]),
          2,
          "rerank eval needs data: --beir <folder> (and --run unless its runs/ has one), or --topics, --qrels, --run and --corpus."
        )
        expectLine(
          yield* rerank(["eval", "--beir", dir]),
          2,
          "give at least one --reranker to evaluate against the first stage, e.g. --reranker local."
        )
        const unknown = yield* rerank(["eval", "--beir", dir, "--reranker", "acme:m1"])
        expect(unknown.code).toBe(2)
        expect(unknown.stderr).toContain('rerank: --reranker acme:m1: unknown reranker "acme"')
        expectLine(
          yield* rerank(["eval", "--beir", dir, "--reranker", "local", "--metrics", "ndcg@10,bpref"]),
          2,
          '--metrics: unknown measure "bpref": use ndcg@k, map, map@k, mrr, p@k, recall@k, r-precision (or trec_eval\'s names)'
        )
        writeFileSync(
          join(dir, "corpus.jsonl"),
          readFileSync(join(dir, "corpus.jsonl"), "utf8").split("\n").slice(1).join("\n")
        )
        expectLine(
          yield* rerank(["eval", "--beir", dir, "--reranker", "local", "--state", join(dir, "s")]),
          3,
          `cannot read ${dir.split("/").pop()}: 1 candidate documents have no text in the corpus (the first: d0-0): the run and the corpus must use the same document ids`
        )
        const keyless = yield* rerank(["eval", "--beir", dir, "--reranker", "jina"])
        expect(keyless.code).toBe(12)
        expect(keyless.stderr).toContain("JINA_API_KEY")
      }),
    timeout
  )
})
