import { LocalReranker } from "@effect-rerank/local"
import { NodeServer } from "@effect-rerank/server"
import { HttpServer } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { execFile } from "node:child_process"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bin, rerank, root, type Run } from "./RunCli.js"

const sample = join(root, "examples/capital-documents.txt")
const sampleJsonl = join(root, "examples/capital-documents.jsonl")
const query = "What is the capital of the United States?"

const timeout = 30_000

/** `rerank serve`'s server, in process, on a free port with a key, for the scope; its base URL. */
const keyedServer = (key: string, options: NodeServer.Options = {}) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      NodeServer.layer({ port: 0, apiKey: Redacted.make(key), ...options }).pipe(Layer.provide(LocalReranker.layer()))
    )
    return yield* HttpServer.addressFormattedWith((address) => Effect.succeed(address)).pipe(Effect.provide(context))
  })

describe("rerank query", () => {
  it.live(
    "reranks the sample with the local reranker and prints a table, best first",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", query, "--file", sample])
        expect(run.code).toBe(0)
        const lines = run.stdout.trim().split("\n")
        expect(lines[0]).toMatch(/rank\s+score\s+index\s+text/)
        expect(lines).toHaveLength(6)
        expect(lines[1]).toMatch(/^\s+1\s+0\.\d{4}\s+3\s+Washington, D\.C\./)
        expect(run.stderr).toBe("")
      }),
    timeout
  )

  it.live(
    "--output json parses, keeps JSONL fields, and honours --top-n",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", query, "--file", sampleJsonl, "--output", "json", "--top-n", "2"])
        expect(run.code).toBe(0)
        const output = JSON.parse(run.stdout)
        expect(output.model).toBe("local-bm25")
        expect(output.results).toHaveLength(2)
        expect(output.results[0]).toMatchObject({ rank: 1, index: 3, document: { id: "doc-4", source: "wikipedia" } })
        // One shape for every input: the ranked text always, the record beside it for JSON input.
        expect(output.results[0].text).toBe(output.results[0].document.text)
        const lines = JSON.parse(
          (yield* rerank(["query", query, "--file", sample, "-o", "json", "--top-n", "1"])).stdout
        )
        expect(Object.keys(lines.results[0]).sort()).toEqual(["index", "rank", "score", "text"])
        expect(lines.results[0].text).toBe(output.results[0].text)
        expect(output.results[0].score).toBeGreaterThan(output.results[1].score)
      }),
    timeout
  )

  it.live(
    "reads stdin with --file - and prints jsonl",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-"))
        const file = join(dir, "docs.json")
        writeFileSync(file, JSON.stringify(["a cat", "the capital of the United States", "a dog"]))
        const run = yield* rerank(["query", "capital", "--file", file, "-o", "jsonl"])
        expect(run.code).toBe(0)
        const lines = run.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line))
        expect(lines[0]).toMatchObject({ rank: 1, index: 1, text: "the capital of the United States" })
      }),
    timeout
  )

  it.live(
    "a missing file exits 3 with one line naming it",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", query, "--file", "no/such/file.txt"])
        expect(run.code).toBe(3)
        expect(run.stderr.trim().split("\n")).toHaveLength(1)
        expect(run.stderr).toContain("no/such/file.txt")
        expect(run.stdout).toBe("")
      }),
    timeout
  )

  it.live(
    "an empty query exits 4",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", "  ", "--file", sample])
        expect(run.code).toBe(4)
        expect(run.stderr).toContain("query")
      }),
    timeout
  )

  it.live(
    "a bad option fails the same way whichever provider: --concurrency 0 exits 2 naming the flag",
    () =>
      Effect.gen(function* () {
        const local = yield* rerank(["query", query, "--file", sample, "--concurrency", "0"])
        const cohere = yield* rerank(["query", query, "--file", sample, "--concurrency", "0", "--provider", "cohere"], {
          COHERE_API_KEY: "k",
          COHERE_BASE_URL: "http://127.0.0.1:9"
        })
        expect(local.code).toBe(2)
        expect(cohere.code).toBe(local.code)
        expect(local.stderr).toBe("rerank: --concurrency must be an integer >= 1, got 0.\n")
        expect(cohere.stderr).toBe(local.stderr)
      }),
    timeout
  )

  it.live(
    "configuration errors name the chosen provider's own variables, never Cohere's",
    () =>
      Effect.gen(function* () {
        const jina = yield* rerank(["query", query, "--file", sample, "--provider", "jina"])
        expect(jina.code).toBe(12)
        expect(jina.stderr).toContain("JINA_API_KEY")
        expect(jina.stderr).not.toMatch(/COHERE|CO_API_KEY/)
        const newline = yield* rerank(["query", query, "--file", sample, "--provider", "jina"], {
          JINA_API_KEY: "sk-secret\nvalue"
        })
        expect(newline.code).toBe(12)
        expect(newline.stderr).toBe(
          "rerank: configuration: JINA_API_KEY: contains control characters (a stray newline?)\n"
        )
        const tei = yield* rerank(["query", query, "--file", sample, "--provider", "tei", "--base-url", "ftp://tei"])
        expect(tei.code).toBe(12)
        expect(tei.stderr).toBe(
          "rerank: configuration: --base-url (or TEI_BASE_URL): must be an http(s) URL, got ftp:\n"
        )
        const missing = yield* rerank(["query", query, "--file", sample, "--provider", "tei"])
        expect(missing.stderr).toContain("TEI_BASE_URL")
        expect(missing.stderr).not.toMatch(/COHERE/)
        // A flag's value the library refuses is said under the flag, whichever provider, exit 2.
        const batch = yield* rerank(["query", query, "--file", sample, "--provider", "jina", "--batch-size", "0"], {
          JINA_API_KEY: "k"
        })
        expect(batch.code).toBe(2)
        expect(batch.stderr).toBe("rerank: --batch-size must be an integer >= 1, got 0.\n")
      }),
    timeout
  )

  it.live(
    "--provider cohere without a key exits 12 naming COHERE_API_KEY",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", query, "--file", sample, "--provider", "cohere"])
        expect(run.code).toBe(12)
        expect(run.stderr).toContain("COHERE_API_KEY")
      }),
    timeout
  )

  it.scopedLive(
    "against a keyed server: a bad key exits 5, the right one reranks through Cohere's API",
    () =>
      Effect.gen(function* () {
        const baseUrl = yield* keyedServer("right-key")
        const bad = yield* rerank(["query", query, "--file", sample, "--base-url", baseUrl], {
          COHERE_API_KEY: "wrong"
        })
        expect(bad.code).toBe(5)
        expect(bad.stderr).toContain("invalid api token")
        expect(bad.stderr).not.toContain("wrong")
        const good = yield* rerank(["query", query, "--file", sample, "--base-url", baseUrl, "-o", "json"], {
          COHERE_API_KEY: "right-key"
        })
        expect(good.code).toBe(0)
        expect(JSON.parse(good.stdout).model).toBe("rerank-v3.5")
        expect(JSON.parse(good.stdout).results[0].index).toBe(3)
      }),
    timeout
  )
})

describe("rerank query --provider <name>: every protocol, the key from its own variable", () => {
  it.scopedLive(
    "jina, voyage, pinecone and tei against rerank serve's prefixes; a missing key names the provider's variable",
    () =>
      Effect.gen(function* () {
        const baseUrl = yield* keyedServer("right-key")
        for (const [provider, variable, prefix] of [
          ["jina", "JINA_API_KEY", "/jina"],
          ["voyage", "VOYAGE_API_KEY", "/voyage"],
          ["pinecone", "PINECONE_API_KEY", "/pinecone"],
          ["tei", "TEI_API_KEY", "/tei"]
        ] as const) {
          const args = ["query", query, "--file", sample, "--provider", provider, "--base-url", baseUrl + prefix]
          const good = yield* rerank([...args, "-o", "json"], { [variable]: "right-key" })
          expect(good.code).toBe(0)
          expect(JSON.parse(good.stdout).results[0].index).toBe(3)
          if (provider !== "tei") {
            const missing = yield* rerank(args)
            expect(missing.code).toBe(12)
            expect(missing.stderr).toContain(variable)
          }
        }
      }),
    timeout * 4
  )
})

describe("rerank query --corpus", () => {
  it.live(
    "weights words by a corpus file for the local reranker; refuses it for Cohere",
    () =>
      Effect.gen(function* () {
        const run = yield* rerank(["query", query, "--file", sample, "--corpus", sampleJsonl, "-o", "json"])
        expect(run.code).toBe(0)
        const plain = yield* rerank(["query", query, "--file", sample, "-o", "json"])
        // "capital" is in every corpus document, so with corpus statistics it weighs less and scores change.
        expect(JSON.parse(run.stdout).results[0].score).not.toBe(JSON.parse(plain.stdout).results[0].score)
        const cohere = yield* rerank(["query", query, "--file", sample, "--corpus", sample, "--provider", "cohere"], {
          COHERE_API_KEY: "k"
        })
        expect(cohere.code).toBe(2)
        expect(cohere.stderr).toContain("--corpus")
      }),
    timeout
  )
})

describe("rerank serve refuses what cannot work, and says why", () => {
  it.live(
    "an empty key and a port out of range exit 2; an address not of this machine exits 13 naming --host",
    () =>
      Effect.gen(function* () {
        const empty = yield* rerank(["serve", "--api-key", "", "--port", "0"])
        expect(empty.code).toBe(2)
        expect(empty.stderr).toContain("--api-key (or RERANK_SERVER_API_KEY) is empty")
        const port = yield* rerank(["serve", "--port", "70000"])
        expect(port.code).toBe(2)
        expect(port.stderr).toContain("--port must be 0 to 65535")
        expect(port.stdout).toBe("")
        const host = yield* rerank(["serve", "--port", "0", "--host", "999.1.1.1"])
        expect(host.code).toBe(13)
        expect(host.stderr).toContain("--host is not an address of this machine")
        expect(host.stderr).not.toContain("port in use")
      }),
    timeout
  )
})

describe("rough edges a new user hit", () => {
  const dir = mkdtempSync(join(tmpdir(), "rerank-edges-"))
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name)
    writeFileSync(path, content)
    return path
  }

  it.live(
    "bad flag values exit 2 under the flag's name, never a library field",
    () =>
      Effect.gen(function* () {
        for (const [flag, value] of [
          ["--top-n", "-1"],
          ["--batch-size", "0"]
        ] as const) {
          const run = yield* rerank(["query", query, "--file", sample, flag, value])
          expect(run.code).toBe(2)
          expect(run.stderr).toContain(flag)
          expect(run.stderr).not.toMatch(/topN|maxDocumentsPerRequest/)
        }
        const word = yield* rerank(["query", query, "--file", sample, "--top-n", "abc"])
        expect(word.code).toBe(2)
        expect(word.stderr + word.stdout).toContain("is not an integer")
      }),
    timeout
  )

  it.live(
    "arguments that do not parse: one rerank: line naming the flag and where to read more, exit 2, nothing on stdout",
    () =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
          [
            ["query", query, "--file", sample, "--top-n", "abc"],
            "rerank: --top-n: 'abc' is not an integer (rerank query --help lists every flag)."
          ],
          [["query", query], "rerank: --file is required (rerank query --help lists every flag)."],
          [
            ["query", query, "--file", sample, "--output", "yaml"],
            "rerank: --output yaml: expected one of table, json, jsonl."
          ],
          [
            ["query", query, "--file", sample, "--bogus"],
            "rerank: unknown argument '--bogus' (rerank query --help lists every flag)."
          ],
          [["frobnicate"], "rerank: unknown command 'frobnicate': use one of query, serve, fuse, eval."],
          [
            ["serve", "--port", "http"],
            "rerank: --port: 'http' is not an integer (rerank serve --help lists every flag)."
          ]
        ]
        for (const [args, line] of cases) {
          const run = yield* rerank(args)
          expect(run.code, args.join(" ")).toBe(2)
          expect(run.stdout, args.join(" ")).toBe("")
          expect(run.stderr, args.join(" ")).toBe(`${line}\n`)
        }
      }),
    timeout
  )

  it.live(
    "unexpected input never prints a stack: a null line in a run is one line on stderr, exit 3",
    () =>
      Effect.gen(function* () {
        const run = file("run.jsonl", '{"id":"a","score":1}\nnull\n')
        const result = yield* rerank(["fuse", run, run])
        expect(result.code).toBe(3)
        expect(result.stdout).toBe("")
        expect(result.stderr.trim().split("\n")).toHaveLength(1)
        expect(result.stderr).toContain("line 2")
        expect(result.stderr).not.toContain("--file")
      }),
    timeout
  )

  it.live(
    "input errors say what is wrong with the file: missing (with the flag to fix), bad JSON (line, column), empty, binary",
    () =>
      Effect.gen(function* () {
        const missing = yield* rerank(["query", query, "--file", join(dir, "nope.txt")])
        expect(missing.code).toBe(3)
        expect(missing.stderr).toContain("no such file. Pass --file")
        const json = yield* rerank(["query", query, "--file", file("bad.json", '[\n  "a",\n  oops\n]')])
        expect(json.code).toBe(3)
        expect(json.stderr).toContain("not JSON at line 3, column 3")
        expect(json.stderr).not.toContain("Pass --file")
        for (const [name, content, says] of [
          ["empty.txt", "", "it is empty"],
          ["blank.txt", "\n  \n\n", "it is empty"],
          ["binary.bin", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]), "not text"]
        ] as const) {
          const run = yield* rerank(["query", query, "--file", file(name, content)])
          expect(run.code).toBe(3)
          expect(run.stderr).toContain(says)
          expect(run.stdout).toBe("")
        }
      }),
    timeout
  )

  it.live(
    "a piped table is never cut; --model with the local reranker is refused; --json points at -o json",
    () =>
      Effect.gen(function* () {
        const long = "the capital city of a country is where its government sits ".repeat(6).trim()
        const table = yield* rerank(["query", "capital", "--file", file("long.txt", `${long}\nanother line\n`)])
        expect(table.code).toBe(0)
        expect(table.stdout).toContain(long)
        const model = yield* rerank(["query", query, "--file", sample, "--model", "foo"])
        expect(model.code).toBe(2)
        expect(model.stderr).toContain("--model applies to a provider with models (--provider cohere, jina,")
        const baseUrl = yield* rerank(["query", query, "--file", sample, "--base-url", "http://127.0.0.1:1"])
        expect(baseUrl.stderr).toContain("--base-url applies to a provider with an endpoint (--provider cohere, jina,")
        const version = yield* rerank(["query", query, "--file", sample, "--provider", "jina", "--api-version", "v1"], {
          JINA_API_KEY: "k"
        })
        expect(version).toMatchObject({
          code: 2,
          stderr: "rerank: --api-version applies to Cohere (--provider cohere); Jina has one API version.\n"
        })
        const json = yield* rerank(["query", query, "--file", sample, "--json"])
        expect(json.code).toBe(2)
        expect(json.stderr).toContain("use -o json")
      }),
    timeout
  )

  it.live(
    "messages name the CLI's own flags: a plain-http base URL points at --allow-insecure-http, and it then works",
    () =>
      Effect.gen(function* () {
        const env = { COHERE_API_KEY: "k" }
        const refused = yield* rerank(["query", query, "--file", sample, "--base-url", "http://example.invalid"], env)
        expect(refused.code).toBe(12)
        expect(refused.stderr).toContain("--base-url")
        expect(refused.stderr).toContain("--allow-insecure-http")
        expect(refused.stderr).not.toMatch(/allowInsecureHttp|""/)
      }),
    timeout
  )

  it.live(
    "--help piped has no ANSI codes, names the program in its usage, and shows defaults; --version prints one line",
    () =>
      Effect.gen(function* () {
        const help = yield* rerank(["query", "--help"])
        expect(help.stdout).not.toContain("\u001b[")
        expect(help.stdout).toContain("$ rerank query")
        expect(help.stdout).toContain("Default: the provider's own limit (1000 for Cohere")
        const version = yield* rerank(["--version"])
        expect(version.stdout).toBe("0.1.0\n")
      }),
    timeout
  )
})

describe("rerank fuse", () => {
  it.live(
    "fuses TREC runs with RRF and prints a TREC run",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-"))
        const bm25 = join(dir, "bm25.trec")
        const dense = join(dir, "dense.jsonl")
        writeFileSync(bm25, "q1 Q0 a 1 12.0 bm25\nq1 Q0 b 2 9.0 bm25\nq1 Q0 c 3 3.0 bm25\n")
        writeFileSync(
          dense,
          [
            '{"query":"q1","id":"b","score":0.9}',
            '{"query":"q1","id":"d","score":0.8}',
            '{"query":"q1","id":"a","score":0.1}'
          ].join("\n")
        )
        const run = yield* rerank(["fuse", bm25, dense])
        expect(run.code).toBe(0)
        expect(
          run.stdout
            .trim()
            .split("\n")
            .map((line) => line.split(" ").slice(0, 4).join(" "))
        ).toEqual(["q1 Q0 b 1", "q1 Q0 a 2", "q1 Q0 d 3", "q1 Q0 c 4"])
        const bad = yield* rerank(["fuse", bm25, dense, "--weights", "1"])
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain("weights")
      }),
    timeout
  )
})

describe("rerank --help", () => {
  it.live(
    "documents every subcommand and option",
    () =>
      Effect.gen(function* () {
        const top = yield* rerank(["--help"])
        expect(top.code).toBe(0)
        for (const sub of ["query", "serve", "fuse"]) expect(top.stdout).toContain(sub)
        const query = yield* rerank(["query", "--help"])
        for (const option of [
          "--file",
          "--field",
          "--top-n",
          "--min-score",
          "--provider",
          "--model",
          "--base-url",
          "--api-version",
          "--batch-size",
          "--concurrency",
          "--merge",
          "--output"
        ]) {
          expect(query.stdout).toContain(option)
        }
        const serve = yield* rerank(["serve", "--help"])
        for (const option of ["--port", "--host", "--api-key", "--fault", "--seed"])
          expect(serve.stdout).toContain(option)
        const fuse = yield* rerank(["fuse", "--help"])
        for (const option of ["--method", "-k", "--weights", "--normalize", "--top-n", "--output"]) {
          expect(fuse.stdout).toContain(option)
        }
      }),
    timeout
  )
})

describe("rerank | head", () => {
  it.live(
    "stops quietly when the reader closes the pipe early",
    () =>
      Effect.async<Run>((resume) => {
        // Thousands of lines, written one by one, so the writer is still going when head exits.
        const many = join(mkdtempSync(join(tmpdir(), "rerank-")), "many.txt")
        writeFileSync(many, Array.from({ length: 3000 }, (_, i) => `capital document number ${i}`).join("\n"))
        const child = execFile(
          "/bin/sh",
          ["-c", `"${process.execPath}" "${bin}" query "${query}" --file "${many}" -o jsonl | head -n 1`],
          { cwd: root },
          (error, stdout, stderr) =>
            resume(Effect.succeed({ code: error === null ? 0 : (error.code as number), stdout, stderr }))
        )
        child.stdin?.end()
      }).pipe(
        Effect.map((run) => {
          expect(run.stdout.trim().split("\n")).toHaveLength(1)
          expect(run.stderr).not.toContain("EPIPE")
        })
      ),
    timeout
  )
})

describe("rerank query --show-cost", () => {
  /** A Cohere-shaped upstream billing `units` search units a call (or saying nothing when undefined). */
  const billing = (units: number | undefined) =>
    Effect.acquireRelease(
      Effect.async<{ url: string; close: () => void }>((resume) => {
        const server = createServer((request, response) => {
          let body = ""
          request.on("data", (chunk) => (body += String(chunk)))
          request.on("end", () => {
            const { documents } = JSON.parse(body) as { documents: Array<string> }
            response.setHeader("content-type", "application/json")
            response.end(
              JSON.stringify({
                id: "x",
                results: documents.map((_, index) => ({ index, relevance_score: 1 - index / 100 })),
                ...(units === undefined ? {} : { meta: { billed_units: { search_units: units } } })
              })
            )
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address() as AddressInfo
          resume(Effect.succeed({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() }))
        })
      }),
      (s) => Effect.sync(s.close)
    )

  it.scopedLive(
    "prints what was billed, reported or by the rule, and its cost at the default or the given price",
    () =>
      Effect.gen(function* () {
        const reported = yield* billing(2)
        const env = { COHERE_API_KEY: "k", COHERE_BASE_URL: reported.url }
        const base = ["query", query, "--file", sample, "--provider", "cohere", "--show-cost", "-o", "jsonl"]
        const byDefault = yield* rerank(base, env)
        expect(byDefault.code).toBe(0)
        // Rerank 3.5 (the default model) at Cohere's published $2 per 1,000 search units.
        expect(byDefault.stderr).toBe("billed: 2 searchUnits (reported); cost $0.004000\n")
        const given = yield* rerank([...base, "--price", "5/1000"], env)
        expect(given.stderr).toBe("billed: 2 searchUnits (reported); cost $0.010000\n")
        const silent = yield* billing(undefined)
        const computed = yield* rerank(base, { ...env, COHERE_BASE_URL: silent.url })
        expect(computed.stderr).toBe("billed: 1 searchUnits (computed); cost $0.002000\n")
        const json = yield* rerank(["query", query, "--file", sample, "--provider", "cohere", "-o", "json"], env)
        expect(JSON.parse(json.stdout).usage).toEqual({
          searchUnits: 2,
          requests: 1,
          billed: { unit: "searchUnits", quantity: 2, source: "reported" },
          cost: 0.004
        })
        const bad = yield* rerank([...base, "--price", "two dollars"], env)
        expect(bad.code).toBe(2)
        expect(bad.stderr).toBe(
          'rerank: --price must look like USD/PER, e.g. 2/1000 for $2 per 1,000 searchUnits, got "two dollars"\n'
        )
      }),
    timeout
  )
})

describe("rerank query --chunk-size", () => {
  it.live(
    "a long document is ranked by its best chunk, and the JSON says where that chunk is",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-chunks-"))
        const filler = Array.from({ length: 150 }, (_, i) => `word${i}`).join(" ")
        const long = `${filler} the capital of France is Paris ${filler}`
        const file = join(dir, "docs.txt")
        writeFileSync(file, `cats sleep a lot\n${long}\n`)
        const chunked = yield* rerank([
          "query",
          "capital of France",
          "--file",
          file,
          "--chunk-size",
          "20",
          "-o",
          "jsonl"
        ])
        expect(chunked.code).toBe(0)
        const [best] = chunked.stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line))
        expect(best.index).toBe(1)
        expect(long.slice(best.chunk.start, best.chunk.end)).toContain("capital of France")
        const bad = yield* rerank(["query", "q", "--file", file, "--chunk-size", "10", "--chunk-overlap", "10"])
        expect(bad).toMatchObject({
          code: 2,
          stderr: "rerank: --chunk-overlap must be less than the chunk size (10), got 10.\n"
        })
        const orphan = yield* rerank(["query", "q", "--file", file, "--chunk-overlap", "3"])
        expect(orphan.stderr).toBe("rerank: --chunk-overlap needs --chunk-size.\n")
      }),
    timeout
  )
})

describe("rerank query --instruction", () => {
  it.live(
    "refused by a model that documents none, naming it and the way round; --instruction-mode prepend sends it",
    () =>
      Effect.gen(function* () {
        const refused = yield* rerank(["query", query, "--file", sample, "--instruction", "prefer the US"])
        expect(refused.code).toBe(2)
        expect(refused.stderr).toBe(
          'rerank: --instruction local\'s local-bm25 takes no instruction (no field for one, and none documented in the query text); the "prepend" instruction mode (instructionMode, --instruction-mode) writes it into the query anyway.\n'
        )
        const sent = yield* rerank([
          "query",
          query,
          "--file",
          sample,
          "--instruction",
          "prefer the US",
          "--instruction-mode",
          "prepend",
          "-n",
          "1"
        ])
        expect(sent.code).toBe(0)
      }),
    timeout
  )
})

describe("rerank query --fields", () => {
  it.live(
    "JSON records ranked by the fields named, with weights for the local reranker; results are the records",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-fields-"))
        const file = join(dir, "items.jsonl")
        writeFileSync(
          file,
          '{"title":"Fruit","body":"apple apple orchard notes"}\n{"title":"Apple","body":"fruit notes from the orchard"}\n'
        )
        const order = (stdout: string) =>
          stdout
            .trim()
            .split("\n")
            .map((line) => JSON.parse(line).document.title)
        const plain = yield* rerank(["query", "apple", "--file", file, "--fields", "title,body", "-o", "jsonl"])
        expect(order(plain.stdout)).toEqual(["Fruit", "Apple"])
        const boosted = yield* rerank(["query", "apple", "--file", file, "--fields", "title:3,body", "-o", "jsonl"])
        expect(order(boosted.stdout)).toEqual(["Apple", "Fruit"])
        const bad = yield* rerank(["query", "apple", "--file", file, "--fields", "title::"])
        expect(bad.code).toBe(2)
      }),
    timeout
  )
})

describe("rerank fuse -", () => {
  /** `rerank` with `input` on its stdin. */
  const piped = (args: ReadonlyArray<string>, input: string) =>
    Effect.async<Run>((resume) => {
      const child = execFile(process.execPath, [bin, ...args], { cwd: root }, (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : (error.code as number), stdout, stderr }))
      )
      child.stdin?.end(input)
    })

  it.live(
    "reads one run from stdin beside files; stdin twice is a usage error",
    () =>
      Effect.gen(function* () {
        const dir = mkdtempSync(join(tmpdir(), "rerank-fuse-"))
        const other = join(dir, "b.jsonl")
        writeFileSync(other, '{"id":"x","score":2}\n{"id":"y","score":1}\n')
        const fused = yield* piped(["fuse", "-", other], '{"id":"y","score":3}\n{"id":"x","score":1}\n')
        expect(fused.code).toBe(0)
        expect(fused.stdout).toContain("x")
        expect(fused.stdout).toContain("y")
        const twice = yield* piped(["fuse", "-", "-"], "")
        expect(twice).toMatchObject({ code: 2, stderr: "rerank: - (stdin) can be one of the runs, once.\n" })
      }),
    timeout
  )
})

describe("advice in flags", () => {
  it.scopedLive(
    "a 413 for bytes advises --batch-size, not the library's option",
    () =>
      Effect.gen(function* () {
        const url = yield* keyedServer("k", { maxBodyBytes: 200 })
        const run = yield* rerank(["query", query, "--file", sample, "--provider", "cohere", "--base-url", url], {
          COHERE_API_KEY: "k"
        })
        expect(run.code).toBe(8)
        expect(run.stderr).toContain("(lower --batch-size)")
        expect(run.stderr).not.toContain("maxDocumentsPerRequest")
      }),
    timeout
  )
})
