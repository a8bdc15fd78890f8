/**
 * One client in its own process: `node --conditions=source --import tsx bench/src/worker.ts <client> <baseUrl>`. It waits for the
 * orchestrator's orders over IPC, runs a phase, and answers with the figures.
 */
import * as Clients from "./clients.js"
import * as Workload from "./workload.js"

const [name, baseUrl, chunkedUrl] = process.argv.slice(2) as [Clients.Name, string, string]
const client = await Clients.make(name, baseUrl)
// The second workload's server answers without a Content-Length.
const chunkedClient = await Clients.make(name, chunkedUrl)

const sequential = async (count: number, documents: ReadonlyArray<string>, via: Clients.Client = client) => {
  const latencies: Array<number> = []
  for (let i = 0; i < count; i++) {
    const start = performance.now()
    const n = await via.call(Workload.query, documents)
    latencies.push(performance.now() - start)
    if (n !== documents.length) throw new Error(`${name} returned ${n} results for ${documents.length} documents`)
  }
  return latencies
}

/** Calls per second at `concurrency`, and the client's CPU time per call in milliseconds. */
const concurrent = async (count: number, concurrency: number, documents: ReadonlyArray<string>) => {
  let next = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++
        await client.call(Workload.query, documents)
      }
    })
  )
  const elapsed = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { perSecond: (count / elapsed) * 1000, cpuPerCall: (used.user + used.system) / 1000 / count }
}

export type Order =
  | { readonly phase: "warmup"; readonly count: number }
  | { readonly phase: "sequential"; readonly count: number }
  | { readonly phase: "concurrent"; readonly count: number; readonly concurrency: number }
  | { readonly phase: "batched"; readonly count: number }
  | { readonly phase: "long"; readonly count: number }
  | { readonly phase: "heap" }
  | { readonly phase: "exit" }

const run = async (order: Order): Promise<unknown> => {
  switch (order.phase) {
    case "warmup":
      await sequential(order.count, Workload.documents)
      return null
    case "sequential":
      return sequential(order.count, Workload.documents)
    case "concurrent":
      return concurrent(order.count, order.concurrency, Workload.documents)
    case "batched": {
      if (client.batched === undefined) return null
      const times: Array<number> = []
      for (let i = 0; i < order.count; i++) {
        const start = performance.now()
        const n = await client.batched(Workload.query, Workload.manyDocuments)
        times.push(performance.now() - start)
        if (n !== Workload.manyDocuments.length) throw new Error(`${name}: ${n} results in the batched call`)
      }
      return times
    }
    case "long":
      return sequential(order.count, Workload.longDocuments, chunkedClient)
    case "heap": {
      // What the client keeps after its calls, once everything collectable is collected (--expose-gc).
      for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.()
      return process.memoryUsage().heapUsed / 1e6
    }
    case "exit":
      await client.close?.()
      process.exit(0)
  }
}

process.on("message", (order: Order) => {
  run(order).then(
    (result) => process.send!({ ok: true, result }),
    (error) => process.send!({ ok: false, error: String(error) })
  )
})
process.send!({ ready: true })
