/**
 * The status page at `GET /`: one HTML document with its style and script inline (no external assets, so it works
 * offline and under a strict CSP), reading `metrics` (Prometheus text, parsed in the page) and `status.json` every few
 * seconds. Everything it shows is what those two already serve without a key: counts, latencies, statuses, the last
 * errors' statuses and messages; never a key, a query or a document.
 */

export const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rerank server</title>
<style>
  :root { color-scheme: light; --ink: #1d2433; --muted: #5b6577; --line: #d9dee7; --ok: #1a7f37; --bad: #c62828; --bar: #3b6fd8; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f5f7fa; }
  header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: #fff; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  header .sub { color: var(--muted); }
  #state { margin-left: auto; font-weight: 600; }
  #state.ok { color: var(--ok); } #state.bad { color: var(--bad); }
  main { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; padding: 16px 24px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
  section.wide { grid-column: span 3; }
  section.two { grid-column: span 2; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
  .big { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; }
  dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 500; }
  td.msg { overflow-wrap: anywhere; }
  .bars { display: flex; align-items: flex-end; gap: 3px; height: 120px; border-bottom: 1px solid var(--line); }
  .bars div { flex: 1; background: var(--bar); min-height: 1px; border-radius: 2px 2px 0 0; }
  .axis { display: flex; gap: 3px; color: var(--muted); font-size: 10px; }
  .axis span { flex: 1; text-align: center; overflow: hidden; white-space: nowrap; }
  .muted { color: var(--muted); }
  code { font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>rerank server</h1>
  <span class="sub" id="upstream">loading…</span>
  <span id="state">…</span>
</header>
<main>
  <section><h2>Requests</h2><div class="big" id="requests">–</div><div class="muted" id="statuses"></div></section>
  <section><h2>Rerank calls</h2><div class="big" id="calls">–</div><div class="muted" id="outcomes"></div></section>
  <section><h2>Latency</h2><dl><dt>p50</dt><dd id="p50">–</dd><dt>p99</dt><dd id="p99">–</dd><dt>in flight</dt><dd id="inflight">–</dd></dl></section>
  <section class="two"><h2>Request latency (rerank routes)</h2><div class="bars" id="histogram"></div><div class="axis" id="axis"></div></section>
  <section><h2>Upstream</h2><dl>
    <dt>attempts</dt><dd id="attempts">–</dd>
    <dt>statuses</dt><dd id="upstream-statuses">–</dd>
    <dt>retries</dt><dd id="retries">–</dd>
    <dt>billed units</dt><dd id="billed">–</dd>
  </dl></section>
  <section><h2>Quota</h2><dl>
    <dt>limit</dt><dd id="quota-limit">–</dd>
    <dt>waits</dt><dd id="quota-waits">–</dd>
    <dt>mean wait</dt><dd id="quota-mean">–</dd>
  </dl></section>
  <section><h2>Score cache</h2><dl>
    <dt>hit rate</dt><dd id="cache-rate">–</dd>
    <dt>from cache</dt><dd id="cache-hits">–</dd>
    <dt>sent</dt><dd id="documents-sent">–</dd>
  </dl></section>
  <section><h2>Protocols served</h2><div id="protocols" class="muted">–</div></section>
  <section class="wide"><h2>Last errors</h2>
    <table><thead><tr><th>time</th><th>status</th><th>request</th><th>request id</th><th>message</th></tr></thead><tbody id="errors"></tbody></table>
  </section>
</main>
<script>
"use strict";
const operational = new Set(["/", "/metrics", "/healthz", "/readyz", "/status.json", "unmatched"]);
function parse(text) {
  const samples = [];
  for (const line of text.split("\\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\\{(.*)\\})? (\\S+)/.exec(line);
    if (m === null) continue;
    const labels = {};
    const re = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\\\]|\\\\.)*)"/g;
    let l;
    while ((l = re.exec(m[2] || "")) !== null) labels[l[1]] = l[2].replace(/\\\\(.)/g, (_, c) => (c === "n" ? "\\n" : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}
const sum = (samples, name, keep) => samples.filter((s) => s.name === name && (!keep || keep(s.labels))).reduce((a, s) => a + s.value, 0);
function by(samples, name, label, keep) {
  const out = {};
  for (const s of samples) if (s.name === name && (!keep || keep(s.labels))) { const k = s.labels[label] ?? "none"; out[k] = (out[k] || 0) + s.value; }
  return out;
}
const fmt = (n) => Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 3 });
const list = (o) => Object.keys(o).sort().map((k) => k + ": " + fmt(o[k])).join(", ") || "none";
const seconds = (s) => s === undefined ? "–" : s < 1 ? fmt(Math.round(s * 1000)) + " ms" : fmt(s) + " s";
function text(id, value) { document.getElementById(id).textContent = value; }
function quantile(buckets, total, q) {
  if (total === 0) return undefined;
  const rank = q * total;
  for (const [le, count] of buckets) if (count >= rank) return le;
  return undefined;
}
function render(samples, status) {
  const rerank = (l) => !operational.has(l.http_route);
  text("requests", fmt(sum(samples, "http_server_request_duration_count", rerank)));
  text("statuses", list(by(samples, "http_server_request_duration_count", "http_response_status_code", rerank)));
  text("calls", fmt(sum(samples, "rerank_calls_total")));
  text("outcomes", list(by(samples, "rerank_calls_total", "outcome")));
  const cumulative = {};
  for (const s of samples) if (s.name === "http_server_request_duration_bucket" && rerank(s.labels)) cumulative[s.labels.le] = (cumulative[s.labels.le] || 0) + s.value;
  const bounds = Object.keys(cumulative).filter((le) => le !== "+Inf").map(Number).sort((a, b) => a - b);
  const total = cumulative["+Inf"] || 0;
  const buckets = bounds.map((b) => [b, cumulative[String(b)] ?? cumulative[b.toString()] ?? 0]);
  // A histogram knows a quantile's bucket, not its value: the bucket's upper bound is shown.
  const bound = (q) => { const le = quantile(buckets, total, q); return le === undefined ? "–" : "≤ " + seconds(le); };
  text("p50", bound(0.5));
  text("p99", bound(0.99));
  text("inflight", fmt(status.inFlight));
  const bars = document.getElementById("histogram"), axis = document.getElementById("axis");
  bars.replaceChildren(); axis.replaceChildren();
  let previous = 0;
  const counts = buckets.map(([, c]) => { const n = c - previous; previous = c; return n; });
  const most = Math.max(1, ...counts);
  buckets.forEach(([le], i) => {
    const bar = document.createElement("div");
    bar.style.height = (100 * counts[i] / most) + "%";
    bar.title = "≤ " + seconds(le) + ": " + counts[i];
    bars.append(bar);
    const tick = document.createElement("span");
    tick.textContent = i % 3 === 0 ? seconds(le) : "";
    axis.append(tick);
  });
  text("attempts", fmt(sum(samples, "rerank_attempts_total")));
  text("upstream-statuses", list(by(samples, "rerank_attempts_total", "http_response_status_code", (l) => l.http_response_status_code !== undefined)));
  text("retries", list(by(samples, "rerank_retries_total", "error_type")));
  text("billed", list(by(samples, "rerank_billed_units_total", "unit")));
  text("quota-limit", status.quota ? status.quota.limit + " per " + status.quota.window : "none");
  const waits = sum(samples, "rerank_quota_wait_count");
  text("quota-waits", fmt(waits));
  text("quota-mean", waits === 0 ? "–" : seconds(sum(samples, "rerank_quota_wait_sum") / waits));
  const hits = sum(samples, "rerank_documents_cached_total"), sent = sum(samples, "rerank_documents_sent_total");
  text("cache-rate", status.cache ? (hits + sent === 0 ? "–" : fmt(Math.round(1000 * hits / (hits + sent)) / 10) + "%") : "off");
  text("cache-hits", fmt(hits));
  text("documents-sent", fmt(sent));
  text("upstream", status.upstream + (status.keyRequired ? " · key required" : " · no key"));
  const state = document.getElementById("state");
  state.textContent = status.ready ? "ready" : "not ready (" + Object.keys(status.checks).filter((k) => status.checks[k] !== "ok").join(", ") + ")";
  state.className = status.ready ? "ok" : "bad";
  text("protocols", status.protocols.join("  "));
  const rows = document.getElementById("errors");
  rows.replaceChildren();
  if (status.lastErrors.length === 0) {
    const tr = document.createElement("tr"); const td = document.createElement("td");
    td.colSpan = 5; td.className = "muted"; td.textContent = "none"; tr.append(td); rows.append(tr);
  }
  for (const e of status.lastErrors) {
    const tr = document.createElement("tr");
    for (const [value, cls] of [[e.at.replace("T", " ").replace(/\\.\\d+Z$/, "Z"), ""], [String(e.status), ""], [e.method + " " + e.path, ""], [e.requestId, ""], [e.message, "msg"]]) {
      const td = document.createElement("td"); td.textContent = value; if (cls) td.className = cls; tr.append(td);
    }
    rows.append(tr);
  }
}
async function refresh() {
  try {
    const [metrics, status] = await Promise.all([
      fetch("metrics", { cache: "no-store" }).then((r) => r.text()),
      fetch("status.json", { cache: "no-store" }).then((r) => r.json())
    ]);
    render(parse(metrics), status);
    document.body.dataset.loaded = String(Date.now());
  } catch (error) {
    const state = document.getElementById("state");
    state.textContent = "unreachable"; state.className = "bad";
  }
}
refresh();
setInterval(refresh, 5000);
</script>
</body>
</html>
`
