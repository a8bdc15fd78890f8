#!/usr/bin/env node
/**
 * Semantic mutants: hand-written changes that each remove one dimension of an invariant users rely on (a component
 * of the cache key, a model's limit, a retryable kind, a scrubbed secret, a window bound, a fallback kind, the
 * per-run state of an effect). Stryker's operators never make these (it does not drop one element of a key), so a
 * 100% mutation score could not see them. For each mutant: apply it to the source, run the tests that guard that
 * invariant, restore the source. A mutant the tests do not kill fails the run. The list is in docs/mutation.md.
 *
 *   pnpm test:semantic            every mutant
 *   pnpm test:semantic cache      those whose id contains "cache"
 */
import { spawn } from "node:child_process"
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../", import.meta.url))
const core = "packages/core/src/"
const http = "packages/http/src/"
const tests = {
  integrity: "packages/server/test/Integrity.test.ts",
  provider: "packages/core/test/Provider.test.ts",
  fleet: "packages/core/test/Fleet.test.ts",
  fallback: "packages/core/test/Fallback.test.ts",
  reranker: "packages/core/test/Reranker.test.ts",
  secrets: "packages/http/test/Secrets.test.ts",
  shared: "packages/http/test/Shared.test.ts",
  providerConfig: "packages/http/test/ProviderConfig.test.ts",
  providers: "packages/http/test/Providers.test.ts",
  batching: "packages/core/test/Batching.test.ts"
}

/** Each: what it removes, and one or more exact replacements (each `from` must occur exactly once). */
const mutants = [
  {
    id: "cache-key-model",
    removes: "the model from the cache's scope",
    edits: [[`${core}Provider.ts`, "    model,\n    scoring: JSON", '    model: "",\n    scoring: JSON']],
    tests: [tests.integrity]
  },
  {
    id: "cache-key-endpoint",
    removes: "the endpoint from the cache's scope",
    edits: [[`${core}Provider.ts`, 'endpoint: identity.endpoint ?? "",', 'endpoint: "",']],
    tests: [tests.integrity]
  },
  {
    id: "cache-key-key",
    removes: "the key's fingerprint from the cache's scope",
    edits: [[`${core}Provider.ts`, 'key: shareAcrossKeys ? "" : (identity.key ?? "")', 'key: ""']],
    tests: [tests.integrity]
  },
  {
    id: "cache-key-scoring",
    removes: "the scoring options from the cache's scope",
    edits: [[`${core}Provider.ts`, "scoring: JSON.stringify(identity.scoring ?? null),", 'scoring: "null",']],
    tests: [tests.providerConfig]
  },
  {
    id: "cache-key-system",
    removes: "the system from the cache's keys",
    edits: [
      [`${core}ScoreCache.ts`, "JSON.stringify([scope.system, scope.endpoint,", "JSON.stringify([scope.endpoint,"]
    ],
    tests: [tests.fleet]
  },
  {
    id: "cache-key-query",
    removes: "the query from the cache's keys",
    edits: [[`${core}ScoreCache.ts`, "scope.key, query])", "scope.key])"]],
    tests: [tests.fleet]
  },
  {
    id: "cache-key-scores-kind",
    removes: "raw or sigmoid scores from an HTTP provider's identity",
    edits: [[`${http}HttpProvider.ts`, 'options.scores ?? "raw"]', '"raw"]']],
    tests: [tests.providerConfig]
  },
  {
    id: "cache-key-fingerprint",
    removes: "the key's fingerprint from an HTTP provider's identity",
    edits: [
      [`${http}HttpProvider.ts`, 'key: secret === "" ? undefined : Provider.fingerprint(secret),', "key: undefined,"]
    ],
    tests: [tests.integrity]
  },
  {
    id: "cache-topn-all-scores",
    removes: "asking for every score of a window when the cache is on",
    edits: [
      [
        `${core}internal/engine.ts`,
        "engine.cache !== undefined || request.topN === undefined",
        "request.topN === undefined"
      ]
    ],
    tests: [tests.integrity]
  },
  {
    id: "limit-pinecone-bge",
    removes: "Pinecone's published limit for bge-reranker-v2-m3",
    edits: [[`${http}Pinecone.ts`, '"bge-reranker-v2-m3": 100,', '"bge-reranker-v2-m3": 1000,']],
    tests: [tests.integrity]
  },
  {
    id: "limit-voyage",
    removes: "Voyage's published limit of 1,000 documents",
    edits: [[`${http}Voyage.ts`, "  maxDocumentsFor: () => defaults.maxDocumentsPerRequest,\n", ""]],
    tests: [tests.integrity]
  },
  {
    id: "limit-over-caller",
    removes: "a model's limit over the caller's larger bound",
    edits: [[`${core}Provider.ts`, "return hard === undefined ? limit : Math.min(limit, hard)", "return limit"]],
    tests: [tests.integrity]
  },
  {
    id: "limit-request-model",
    removes: "the request's model from the window size (the layer's is used)",
    edits: [
      [
        `${core}internal/engine.ts`,
        "Provider.limitFor(provider, settings.batching.maxDocumentsPerRequest, model)",
        "Provider.limitFor(provider, settings.batching.maxDocumentsPerRequest, provider.model)"
      ]
    ],
    tests: [tests.integrity]
  },
  {
    id: "window-bound",
    removes: "the window bound: one more document than the limit",
    edits: [
      [
        `${core}internal/engine.ts`,
        "Batching.windows(toSend.length, limit)",
        "Batching.windows(toSend.length, limit + 1)"
      ]
    ],
    tests: [tests.provider]
  },
  {
    id: "window-bound-unbatched",
    removes: "the limit of a call with batching off",
    edits: [
      [
        `${core}internal/engine.ts`,
        "!settings.batching.batching && toSend.length > limit",
        "!settings.batching.batching && toSend.length > limit + 1"
      ]
    ],
    tests: [tests.provider]
  },
  {
    id: "retry-rate-limit",
    removes: "RateLimitError from the retryable kinds",
    edits: [
      [`${core}RerankError.ts`, '    case "RateLimitError":\n    case "TransportError":', '    case "TransportError":']
    ],
    tests: [tests.provider]
  },
  {
    id: "retry-503",
    removes: "503 from the transient statuses",
    edits: [[`${core}RerankError.ts`, "new Set([500, 502, 503, 504])", "new Set([500, 502, 504])"]],
    tests: [tests.provider]
  },
  {
    id: "retry-attempt-timeout",
    removes: "a timed-out attempt from the retryable kinds",
    edits: [[`${core}RerankError.ts`, 'return error.scope === "attempt"', "return false"]],
    tests: [tests.provider]
  },
  {
    id: "secret-scrub",
    removes: "scrubbing the key from what a server sends back",
    edits: [
      [`${http}internal/responseError.ts`, 'secret.length > 0 ? text.split(secret).join("[redacted]") : text', "text"]
    ],
    tests: [tests.secrets]
  },
  {
    id: "secret-span-headers",
    removes: "redacting response headers on the HTTP spans",
    edits: [[`${http}internal/transport.ts`, "Effect.locally(Headers.currentRedactedNames, redactedOnSpans),", ""]],
    tests: [tests.secrets]
  },
  {
    id: "quota-key-fingerprint",
    removes: "the key's fingerprint from the quota's name",
    edits: [[`${core}Provider.ts`, '${identity.key ?? "no-key"}`', "no-key`"]],
    tests: [tests.shared]
  },
  {
    id: "fallback-service-error",
    removes: "ServiceError from the kinds a fallback passes on",
    edits: [[`${core}internal/fallback.ts`, '  "RateLimitError",\n  "ServiceError",', '  "RateLimitError",']],
    tests: [tests.fallback]
  },
  {
    id: "fallback-per-run",
    removes: "the per-run state of a fallback effect (failures shared by every run)",
    edits: [
      [`${core}internal/fallback.ts`, "      const failures: Array<RerankError> = []\n", ""],
      [
        `${core}internal/fallback.ts`,
        "  const on = new Set(options.on ?? defaultOn)\n",
        "  const on = new Set(options.on ?? defaultOn)\n  const failures: Array<RerankError> = []\n"
      ]
    ],
    tests: [tests.fallback]
  },
  {
    id: "refusal-no-attempt",
    removes: "a refusal before sending counting no attempt",
    edits: [[`${core}internal/window.ts`, "prepared.left.withAttempts(0,", "prepared.left.withAttempts(1,"]],
    tests: [tests.provider]
  },
  {
    id: "answer-repeated-index",
    removes: "the check that an answer names each document once",
    edits: [
      [
        `${core}internal/assemble.ts`,
        "if (seen[index] === 1) return invalid(`result index ${index} appears twice`)",
        ""
      ]
    ],
    tests: [tests.provider]
  },
  {
    id: "answer-short",
    removes: "the warning on an answer short of what was asked",
    edits: [[`${core}internal/window.ts`, "if (short !== undefined) call.warnings.add(short)", ""]],
    tests: [tests.provider]
  },
  {
    id: "merge-tie-order",
    removes: "ties broken by input position",
    edits: [[`${core}Batching.ts`, "b.score - a.score || a.index - b.index", "b.score - a.score"]],
    tests: [tests.reranker, tests.batching]
  }
]

/** Each mutant's run stops here: a test that fails but hangs while reporting (a huge diff) still counts, as a kill. */
const timeoutMs = 240_000
const backup = `${root}node_modules/.semantic-mutants.json`

const vitest = (files) =>
  new Promise((resolve) => {
    // Its own process group, so that nothing it started (a worker stuck printing a large failure) outlives it.
    const child = spawn("npx", ["vitest", "run", "--reporter=dot", ...files], {
      cwd: root,
      stdio: "pipe",
      detached: true
    })
    const killAll = () => {
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killAll()
    }, timeoutMs)
    child.on("close", (status) => {
      clearTimeout(timer)
      killAll()
      resolve({ status, timedOut, output })
    })
  })

/** Puts back whatever a run that died half-way left mutated (its originals were saved before any write). */
const recover = () => {
  if (!existsSync(backup)) return
  for (const [path, text] of Object.entries(JSON.parse(readFileSync(backup, "utf8")))) writeFileSync(path, text)
  rmSync(backup)
  console.log("semantic mutants: restored the sources a previous run left mutated")
}

const restore = (originals) => {
  for (const [path, text] of originals) writeFileSync(path, text)
  rmSync(backup, { force: true })
}

const apply = (edits) => {
  const originals = new Map()
  for (const [file] of edits) originals.set(root + file, readFileSync(root + file, "utf8"))
  writeFileSync(backup, JSON.stringify(Object.fromEntries(originals)))
  for (const [file, from, to] of edits) {
    const current = readFileSync(root + file, "utf8")
    const count = current.split(from).length - 1
    if (count !== 1) {
      restore(originals)
      throw new Error(`${file}: expected the mutated text exactly once, found it ${count} times:\n${from}`)
    }
    writeFileSync(root + file, current.replace(from, to))
  }
  return originals
}

recover()
const filter = process.argv[2]
const chosen = mutants.filter((m) => filter === undefined || m.id.includes(filter))
const files = [...new Set(chosen.flatMap((m) => m.tests))]

// The guarding tests must pass on the code as it is, or every mutant would look killed.
const baseline = await vitest(files)
if (baseline.status !== 0) {
  process.stdout.write(baseline.output)
  console.error("semantic mutants: the guarding tests fail without any mutant; fix them first")
  process.exit(1)
}

let live = undefined
const stop = () => {
  if (live !== undefined) restore(live)
  process.exit(130)
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)

const survivors = []
for (const mutant of chosen) {
  live = apply(mutant.edits)
  let result
  try {
    result = await vitest(mutant.tests)
  } finally {
    restore(live)
    live = undefined
  }
  const killed = result.status !== 0
  if (!killed) survivors.push(mutant)
  const verdict = !killed ? "SURVIVED" : result.timedOut ? "timeout " : "killed  "
  console.log(`${verdict}  ${mutant.id.padEnd(24)} ${mutant.removes}`)
}
console.log(`\n${chosen.length - survivors.length} of ${chosen.length} semantic mutants killed`)
if (survivors.length > 0) {
  console.error(`survived: ${survivors.map((m) => m.id).join(", ")}`)
  process.exit(1)
}
