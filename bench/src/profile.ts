/**
 * `node --cpu-prof --conditions=source --import tsx bench/src/profile.ts <client>`: one client, 2,000 calls at concurrency 16 against the
 * canned loopback server in a child process, for a CPU profile of where the client's own time goes.
 */
import { fork } from "node:child_process"
import * as Clients from "./clients.js"
import * as Workload from "./workload.js"

if (process.argv[2] === "server") {
  const { port } = await Workload.startServer()
  process.send!(port)
} else {
  const child = fork(new URL(import.meta.url).pathname, ["server"], {
    execArgv: ["--conditions=source", "--import", "tsx"]
  })
  const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(m as number)))
  const client = await Clients.make((process.argv[2] ?? "effect-fetch") as Clients.Name, `http://127.0.0.1:${port}`)
  const count = Number(process.env.CALLS ?? 2000)
  let next = 0
  const cpu = process.cpuUsage()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: Number(process.env.CONCURRENCY ?? 16) }, async () => {
      while (next++ < count) {
        if (process.env.BATCHED === undefined) await client.call(Workload.query, Workload.documents)
        else await (client.batched ?? client.call)(Workload.query, Workload.manyDocuments)
      }
    })
  )
  const used = process.cpuUsage(cpu)
  console.log(
    `${count} calls in ${(performance.now() - start).toFixed(0)} ms, ${((used.user + used.system) / 1000 / count).toFixed(2)} ms CPU a call`
  )
  await client.close?.()
  child.kill()
}
