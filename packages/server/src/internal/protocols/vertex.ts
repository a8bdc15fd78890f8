/**
 * Vertex AI's Ranking API, the server's half: `records` with ids, ranked by title and content, answered by id with
 * their score (and their title and content unless `ignoreRecordDetailsInResponse`), Google's error shape.
 */
import { Vertex } from "@effect-rerank/http"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Vertex.Response)
const decode = ServerProtocol.requestDecoder(Vertex.Request)

/** Google's canonical codes for the statuses our server sends. */
const codes: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE"
}

export const vertex: ServerProtocol.ServerProtocol = {
  paths: ["/v1/projects/{project}/locations/{location}/rankingConfigs/{rankingConfig}:rank"],
  auth: "bearer",
  decodeRequest: (json) =>
    Either.flatMap(decode(json), (request) => {
      const seen = new Set<string>()
      for (const [i, record] of request.records.entries()) {
        if (record.id === "") return ServerProtocol.invalid(`records[${i}].id must not be empty`)
        if ((record.title ?? "") === "" && (record.content ?? "") === "") {
          return ServerProtocol.invalid(`records[${i}] must have a title or a content`)
        }
        if (seen.has(record.id)) return ServerProtocol.invalid(`records[${i}].id repeats an earlier record's id`)
        seen.add(record.id)
      }
      const call = ServerProtocol.call({
        model: request.model,
        query: request.query,
        documents: request.records.map((record) =>
          [record.title, record.content].filter((part) => part !== undefined && part !== "").join("\n")
        ),
        // Unset, or not above zero: every record.
        topN: request.topN !== undefined && request.topN > 0 ? request.topN : undefined,
        returnDocuments: request.ignoreRecordDetailsInResponse !== true,
        field: "records"
      })
      // The records as sent, for their ids (and details) in the answer.
      return Either.map(call, (call) => ({ ...call, documents: request.records }))
    }),
  encodeResponse: ({ call, results }) => {
    const records = call.documents as ReadonlyArray<(typeof Vertex.Request.Type.records)[number]>
    return encodeResponse({
      records: results.map((r) => {
        const { content, id, title } = records[r.index]
        return call.returnDocuments ? { id, score: r.score, title, content } : { id, score: r.score }
      })
    })
  },
  encodeError: (status, message) => ({ error: { code: status, message, status: codes[status] ?? "UNKNOWN" } })
}
