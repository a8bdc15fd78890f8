/**
 * `cors`: a page of an allowed origin may call the server from a browser (its preflight answered, whatever headers
 * its SDK asks for; its answer readable); another origin is never named; without `cors` nothing changes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as LocalServer from "./LocalServer.js"

const preflight = (url: string, origin: string) =>
  Effect.promise(() =>
    fetch(url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,traceparent"
      }
    })
  )

describe("rerank serve --cors", () => {
  it.scopedLive("an allowed origin's preflight and answer; another origin is never named", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start({ cors: ["http://app.localhost:5173"] })
      const allowed = yield* preflight(`${base}/v2/rerank`, "http://app.localhost:5173")
      expect(allowed.status).toBeLessThan(300)
      expect(allowed.headers.get("access-control-allow-origin")).toBe("http://app.localhost:5173")
      expect(allowed.headers.get("access-control-allow-headers")).toBe("authorization,content-type,traceparent")
      const answer = yield* Effect.promise(() =>
        fetch(`${base}/v2/rerank`, {
          method: "POST",
          headers: { origin: "http://app.localhost:5173", "content-type": "application/json" },
          body: JSON.stringify({ model: "m", query: "q", documents: ["a q", "b"] })
        })
      )
      expect(answer.status).toBe(200)
      expect(answer.headers.get("access-control-allow-origin")).toBe("http://app.localhost:5173")
      expect(answer.headers.get("access-control-expose-headers")).toContain("x-request-id")
      // Another origin is never named, so its browser refuses the page the answer.
      const other = yield* preflight(`${base}/v2/rerank`, "http://evil.example")
      expect(other.headers.get("access-control-allow-origin")).not.toBe("http://evil.example")
    })
  )

  it.scopedLive("without cors, no CORS headers at all", () =>
    Effect.gen(function* () {
      const base = yield* LocalServer.start()
      const response = yield* preflight(`${base}/v2/rerank`, "http://app.localhost:5173")
      expect(response.headers.get("access-control-allow-origin")).toBeNull()
    })
  )
})
