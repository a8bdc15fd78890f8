/**
 * `pnpm bench:server`: `rerank serve` (the CLI, over the local reranker) under load and under a slow-client attack,
 * each in a fresh server process whose peak RSS is read from /proc (VmHWM).
 *
 * Load: 50 connections, each sending 1,000-document requests (documents of about 200 bytes) back to back for
 * LOAD_SECONDS, while one more client sends small requests (3 documents) one after another. Printed: big requests a
 * second, their p50/p99, the small requests' p99 against the same small requests on the idle server measured first
 * (the floor of the same run), and the server's peak RSS.
 *
 * Slow clients: the server started under `ulimit -n 1024`; 1,100 connections each send half a request's headers and
 * stop; then 40 normal requests (4 at a time). Printed: how many were answered 200, their p99, and how many slow
 * connections the server closed (408 after --headers-timeout, or dropped to make room).
 *
 * Oversized: one `/tei/rerank` request of 1,000,000 short texts (7.6 MB, under the body limit): its status, time, and
 * the server's peak RSS before and after.
 */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../../packages/cli/bin/rerank.mjs", import.meta.url))
const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 20)
const CONNECTIONS = 50
const SLOW = 1_100

const serve = (args: ReadonlyArray<string>, ulimit?: number) =>
  new Promise<{ url: string; pid: number; stop: () => Promise<void> }>((resolve, reject) => {
    const command = [process.execPath, bin, "serve", "--port", "0", ...args].map((a) => `'${a}'`).join(" ")
    const child = spawn("bash", ["-c", `${ulimit === undefined ? "" : `ulimit -n ${ulimit}; `}exec ${command}`], {
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk)
      const match = /listening on (http:\/\/[^:]+:\d+)/.exec(stderr)
      if (match !== null) {
        resolve({
          url: match[1],
          pid: child.pid!,
          stop: () =>
            new Promise((done) => {
              child.once("exit", () => done())
              child.kill("SIGKILL")
            })
        })
      }
    })
    child.once("exit", (code) => reject(new Error(`rerank serve exited ${code}: ${stderr}`)))
  })

const peakRssMb = (pid: number) => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return match === null ? NaN : Number(match[1]) / 1024
}

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

const words = "retrieval reranking passage query document capital river mountain history science music".split(" ")
const documentOf = (i: number) => {
  let text = `document ${i}:`
  for (let w = 0; text.length < 200; w++) text += " " + words[(i * 7 + w * 3) % words.length]
  return text
}
const big = JSON.stringify({
  model: "m",
  query: "capital river",
  documents: Array.from({ length: 1000 }, (_, i) => documentOf(i)),
  top_n: 10
})
const small = JSON.stringify({
  model: "m",
  query: "capital river",
  documents: [documentOf(1), documentOf(2), documentOf(3)]
})

const timed = async (url: string, body: string) => {
  const start = performance.now()
  const response = await fetch(`${url}/v2/rerank`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" }
  })
  await response.arrayBuffer()
  return { ms: performance.now() - start, status: response.status }
}

const smallRun = async (url: string, until: () => boolean) => {
  const times: Array<number> = []
  while (!until()) times.push((await timed(url, small)).ms)
  return times
}

const load = async () => {
  const server = await serve([])
  // The floor: small requests on the idle server.
  const idleEnd = performance.now() + 3_000
  const idle = await smallRun(server.url, () => performance.now() > idleEnd)
  const end = performance.now() + LOAD_SECONDS * 1000
  const bigTimes: Array<number> = []
  let failed = 0
  const worker = async () => {
    while (performance.now() < end) {
      const { ms, status } = await timed(server.url, big)
      if (status === 200) bigTimes.push(ms)
      else failed++
    }
  }
  const [smallTimes] = await Promise.all([
    smallRun(server.url, () => performance.now() > end),
    ...Array.from({ length: CONNECTIONS }, worker)
  ])
  const rss = peakRssMb(server.pid)
  await server.stop()
  const idleP99 = percentile(idle, 0.99)
  const smallP99 = percentile(smallTimes, 0.99)
  console.log(
    `load: ${CONNECTIONS} connections of 1,000-document requests for ${LOAD_SECONDS} s, small requests meanwhile`
  )
  console.log(
    `  big requests:   ${(bigTimes.length / LOAD_SECONDS).toFixed(1)} req/s, p50 ${percentile(bigTimes, 0.5).toFixed(0)} ms, p99 ${percentile(bigTimes, 0.99).toFixed(0)} ms, ${failed} failed`
  )
  console.log(
    `  small requests: ${smallTimes.length} answered, p99 ${smallP99.toFixed(0)} ms (idle floor p99 ${idleP99.toFixed(1)} ms over ${idle.length}: ${(smallP99 / idleP99).toFixed(1)}x)`
  )
  console.log(`  peak RSS:       ${rss.toFixed(0)} MB`)
}

const slowClients = async () => {
  // BENCH_OLD=1: a server from before these flags existed (for a before/after comparison), its defaults only.
  const server = await serve(process.env.BENCH_OLD === "1" ? [] : ["--headers-timeout", "10s"], 1024)
  const port = Number(new URL(server.url).port)
  const sockets: Array<Socket> = []
  let closed = 0
  let timedOut = 0
  await Promise.all(
    Array.from(
      { length: SLOW },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect(port, "127.0.0.1")
          sockets.push(socket)
          socket.on("error", () => {})
          socket.on("data", (chunk) => {
            if (String(chunk).startsWith("HTTP/1.1 408")) timedOut++
          })
          socket.on("close", () => closed++)
          socket.on("connect", () => {
            socket.write("POST /v2/rerank HTTP/1.1\r\nHost: x\r\n")
            resolve()
          })
          setTimeout(resolve, 2_000)
        })
    )
  )
  const times: Array<number> = []
  let answered = 0
  let failed = 0
  const normal = async () => {
    for (let i = 0; i < 10; i++) {
      try {
        const { ms, status } = await timed(server.url, small)
        if (status === 200) {
          answered++
          times.push(ms)
        } else failed++
      } catch {
        failed++
      }
    }
  }
  await Promise.all(Array.from({ length: 4 }, normal))
  const rss = peakRssMb(server.pid)
  console.log(
    `slow clients: ${SLOW} connections stalled mid-headers, server under ulimit -n 1024, then 40 normal requests`
  )
  console.log(
    `  normal requests: ${answered} of 40 answered 200 (${failed} failed), p99 ${percentile(times, 0.99).toFixed(0)} ms`
  )
  console.log(
    `  slow connections closed by the server so far: ${closed} (${timedOut} with 408); peak RSS ${rss.toFixed(0)} MB`
  )
  for (const socket of sockets) socket.destroy()
  await server.stop()
}

const oversized = async () => {
  const server = await serve([])
  const body = JSON.stringify({ query: "q", texts: Array.from({ length: 1_000_000 }, (_, i) => `t${i}`) })
  const before = peakRssMb(server.pid)
  const start = performance.now()
  const response = await fetch(`${server.url}/tei/rerank`, { method: "POST", body })
  await response.arrayBuffer()
  const ms = performance.now() - start
  console.log(`oversized: one /tei/rerank request of 1,000,000 texts (${(body.length / 1e6).toFixed(1)} MB)`)
  console.log(
    `  answered ${response.status} in ${ms.toFixed(0)} ms; peak RSS ${before.toFixed(0)} MB before, ${peakRssMb(server.pid).toFixed(0)} MB after`
  )
  await server.stop()
}

await load()
await slowClients()
await oversized()
