#!/usr/bin/env bash
# Packs every publishable package as `pnpm publish` would (prepack builds dist/), installs the tarballs with npm into
# a plain project (no workspace links), then uses them as a user would: imports from a plain .mjs, type-checks a
# consumer under NodeNext, Bundler and node10 resolution, and runs the installed `rerank` on the sample.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/consumer"

for package in rrf core http local eval server cli; do
  (cd "$root/packages/$package" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
for tarball in "$work"/tarballs/*.tgz; do
  listing="$(tar -tzf "$tarball")"
  if grep -q 'tsbuildinfo' <<<"$listing"; then echo "pack-check: $tarball holds a build cache" >&2; exit 1; fi
  for needed in package/LICENSE package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$needed" <<<"$listing" || { echo "pack-check: $tarball lacks $needed" >&2; exit 1; }
  done
done

# The libraries alone, as a user who paces and shares nothing installs them: no @effect/experimental (an optional
# peer, loaded only for `rateLimit` and the Redis cache), and the install line of the README, nothing more.
mkdir -p "$work/lean"
cd "$work/lean"
cat > package.json <<'JSON'
{ "name": "lean", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/effect-rerank-{rrf,core,http,local}-*.tgz \
  effect@~3.22.4 @effect/platform@~0.97.2 >/dev/null
if [ -e node_modules/@effect/experimental ]; then echo "pack-check: @effect/experimental was installed unasked" >&2; exit 1; fi
cat > lean.mjs <<'JS'
import { Reranker } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { Effect, Redacted } from "effect"

const ranked = await Effect.runPromise(
  Reranker.rerank({ query: "capital", documents: ["a river", "the capital city"] }).pipe(
    Effect.provide(LocalReranker.layer({ cache: true }))
  )
)
if (ranked.results[0].index !== 1) throw new Error(`unexpected ranking ${JSON.stringify(ranked.results)}`)
if (typeof Cohere.layer({ apiKey: Redacted.make("k") }) !== "object") throw new Error("Cohere.layer is missing")
// Pacing needs the optional peer: without it, a ConfigError that says which package to add.
const refused = await Effect.runPromise(Effect.flip(LocalReranker.make({ rateLimit: { limit: 1, window: "1 second" } })))
if (!String(refused).includes("@effect/experimental")) throw new Error(`unexpected refusal: ${String(refused)}`)
console.log("pack-check: core, http and local import and run without @effect/experimental")
JS
node lean.mjs

cd "$work/consumer"
cat > package.json <<'JSON'
{ "name": "consumer", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz \
  effect@~3.22.4 @effect/platform@~0.97.2 @effect/platform-node@~0.108.2 typescript@~5.9.3 @types/node@~20.19.0 >/dev/null

cat > consumer.mjs <<'JS'
import { Reranker } from "@effect-rerank/core"
import * as RerankerModule from "@effect-rerank/core/Reranker"
import { Cohere } from "@effect-rerank/http"
import { LocalReranker } from "@effect-rerank/local"
import { Fusion } from "@effect-rerank/rrf"
import { Effect } from "effect"

if (RerankerModule.Reranker !== Reranker.Reranker) throw new Error("subpath export is another module instance")
if (typeof Cohere.layerConfig !== "function" || typeof Fusion.rrf !== "function") throw new Error("missing exports")
const result = await Effect.runPromise(
  Reranker.rerank({ query: "capital", documents: ["a river", "the capital city"] }).pipe(
    Effect.provide(LocalReranker.layer())
  )
)
if (result.results[0].index !== 1) throw new Error(`unexpected ranking ${JSON.stringify(result.results)}`)
const { Metrics } = await import("@effect-rerank/eval")
const evaluated = Metrics.evaluate(new Map([["q", new Map([["a", 1]])]]), new Map([["q", new Map([["a", 2], ["b", 1]])]]), [Metrics.parse("mrr")])
if (evaluated.mean.mrr !== 1) throw new Error(`unexpected evaluation ${JSON.stringify(evaluated.mean)}`)
console.log("pack-check: imports from the tarballs work")
JS
node consumer.mjs

cat > consumer.ts <<'TS'
import { Reranker, RerankError } from "@effect-rerank/core"
import { Cohere } from "@effect-rerank/http"
import { Fusion } from "@effect-rerank/rrf"
import { Effect, Redacted } from "effect"

export const program: Effect.Effect<number, RerankError.RerankError, Reranker.Reranker> = Effect.map(
  Reranker.rerank({ query: "q", documents: ["a"] }),
  (result) => result.results.length
)
export const layer = Cohere.layer({ apiKey: Redacted.make("k") })
export const fused = Fusion.rrf([[{ id: "a" }]], { key: (item) => item.id })
TS
for resolution in NodeNext Bundler node10; do
  module=$([ "$resolution" = NodeNext ] && echo NodeNext || ([ "$resolution" = Bundler ] && echo ESNext || echo CommonJS))
  cat > "tsconfig.$resolution.json" <<JSON
{ "compilerOptions": { "module": "$module", "moduleResolution": "$resolution", "strict": true, "noEmit": true,
  "skipLibCheck": false, "types": ["node"], "target": "ES2022" }, "files": ["consumer.ts"] }
JSON
  npx tsc -p "tsconfig.$resolution.json"
  echo "pack-check: a consumer type-checks under moduleResolution $resolution"
done

sample_query="$(cat "$root/examples/capital-query.txt")"
output="$(npx rerank query "$sample_query" --file "$root/examples/capital-documents.txt")"
grep -q "^ *1 .*Washington, D.C." <<<"$output" || { echo "pack-check: unexpected rerank output:" >&2; echo "$output" >&2; exit 1; }
echo "pack-check: the installed rerank ranks the sample (Washington first); version $(npx rerank --version)"

# `rerank eval` from the installed bin, its report drawn with the Vega the package depends on (not bundled).
mkdir -p beir/qrels beir/runs
printf '{"_id":"d1","text":"a river"}\n{"_id":"d2","text":"the capital city"}\n' > beir/corpus.jsonl
printf '{"_id":"q1","text":"capital"}\n' > beir/queries.jsonl
printf 'query-id\tcorpus-id\tscore\nq1\td2\t1\n' > beir/qrels/test.tsv
printf 'q1 Q0 d1 1 2 bm25\nq1 Q0 d2 2 1 bm25\n' > beir/runs/bm25.trec
npx rerank eval --beir beir --reranker local --metrics mrr --report eval-out >/dev/null 2>&1 \
  || { echo "pack-check: rerank eval failed from the tarballs:" >&2; npx rerank eval --beir beir --reranker local --metrics mrr --report eval-out >&2; exit 1; }
grep -q "<svg" eval-out/report.html || { echo "pack-check: the installed rerank eval drew no chart" >&2; exit 1; }
echo "pack-check: the installed rerank eval writes its report"
