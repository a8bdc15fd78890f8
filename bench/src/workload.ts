import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * The benchmark's data: 1,000 passages of about 200 bytes (a 210 KB request body), a 10,000-passage set for the
 * batched call, and the canned 1,000-result v2 answer the loopback server gives every request.
 */

const words = "the of capital state river city history nation law court energy model result passage query".split(" ")

/** A deterministic passage of about 200 bytes. */
const passage = (i: number) => {
  const parts: Array<string> = [`passage ${i}:`]
  let seed = i * 2654435761
  while (parts.join(" ").length < 200) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    parts.push(words[seed % words.length])
  }
  return parts.join(" ")
}

export const query = "what is the capital of the united states"

export const documents: ReadonlyArray<string> = Array.from({ length: 1000 }, (_, i) => passage(i))

export const manyDocuments: ReadonlyArray<string> = Array.from({ length: 10_000 }, (_, i) => passage(i))

/** The second workload: 1,000 passages of about 2,000 bytes (a 2 MB request body). */
export const longDocuments: ReadonlyArray<string> = Array.from({ length: 1000 }, (_, i) =>
  Array.from({ length: 10 }, (_, j) => passage(i * 10 + j)).join(" ")
)

/** Cohere's v2 answer for 1,000 documents: every index once, best first, scores in (0, 1). */
export const cannedResponse = (): Buffer => {
  const results = Array.from({ length: 1000 }, (_, i) => ({
    index: (i * 7919) % 1000,
    relevance_score: 0.99 - i * 0.00098 + ((i * 31) % 7) * 1e-7
  }))
  results.sort((a, b) => b.relevance_score - a.relevance_score)
  return Buffer.from(
    JSON.stringify({
      id: "07734bd2-2473-4f07-94e1-0d9f0e6843cf",
      results,
      meta: { api_version: { version: "2" }, billed_units: { search_units: 10 } }
    })
  )
}

/**
 * A loopback server that reads each request whole, as a real one must, and answers the canned body at once; with
 * `chunked`, without a Content-Length, in four writes (as a proxy or a compressing server sends it).
 */
export const startServer = async (
  options: { readonly chunked?: boolean } = {}
): Promise<{ readonly server: Server; readonly port: number }> => {
  const canned = cannedResponse()
  const quarter = Math.ceil(canned.length / 4)
  const server = createServer((request, response) => {
    request.on("data", () => {})
    request.on("end", () => {
      if (options.chunked === true) {
        response.writeHead(200, { "content-type": "application/json" })
        for (let at = 0; at < canned.length; at += quarter) response.write(canned.subarray(at, at + quarter))
        response.end()
        return
      }
      response.writeHead(200, { "content-type": "application/json", "content-length": canned.length })
      response.end(canned)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, port: (server.address() as AddressInfo).port }
}
