/**
 * The status page in a real headless browser (Debian's `chromium-headless-shell`, driven by playwright-core): it
 * loads with no console errors and no request beyond the server, and the numbers it shows are those of `/metrics`
 * after a known set of requests. Skipped, visibly, where the browser is not installed (`.ci/run` installs it).
 */
import { Reranker, RerankError } from "@effect-rerank/core"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Browser from "../../../test-utils/Browser.js"
import { startServer } from "./Sockets.js"

/** A reranker that fails every third call with 503 (no retries), so errors and a mix of statuses show. */
const flaky = () => {
  let calls = 0
  return Layer.effect(
    Reranker.Reranker,
    Reranker.make(
      {
        ...Reranker.testProvider((query, text) => (text.includes(query) ? 1 : 0.1)),
        system: "flaky",
        rerankWindow: (request) =>
          ++calls % 3 === 0
            ? Effect.fail(new RerankError.ServiceError({ status: 503 }))
            : Effect.succeed({ results: request.documents.map((text, index) => ({ index, score: text.length })) })
      },
      { retry: { maxRetries: 0 } }
    )
  )
}

const post = (url: string, body: unknown) =>
  Effect.promise(() => fetch(url, { method: "POST", body: JSON.stringify(body) }).then((r) => r.status))

/** The sum of a metric's samples in Prometheus text, over the series whose labels include `having`. */
const total = (metrics: string, name: string, having: (labels: string) => boolean = () => true) =>
  metrics
    .split("\n")
    .filter((line) => line.startsWith(name + "{") || line.startsWith(name + " "))
    .filter((line) => having(line.slice(name.length, line.lastIndexOf(" "))))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0)

describe.skipIf(!Browser.available)("the status page in a headless browser", () => {
  it.scopedLive(
    "loads without console errors or outside requests; its numbers are /metrics' after a known set of requests",
    () =>
      Effect.gen(function* () {
        const { url } = yield* startServer(
          { about: { upstream: "gateway to test", quota: { limit: 100, window: "1m" } } },
          flaky()
        )
        const documents = ["alpha beta", "beta gamma", "gamma delta"]
        const statuses: Array<number> = []
        for (let i = 0; i < 9; i++)
          statuses.push(yield* post(`${url}/v2/rerank`, { model: "m", query: "beta", documents }))
        statuses.push(yield* post(`${url}/jina/v1/rerank`, { query: "q" }))
        expect(statuses.filter((s) => s === 200)).toHaveLength(6)
        expect(statuses.filter((s) => s === 503)).toHaveLength(3)

        const { outside, page, problems } = yield* Browser.openPage({ width: 1280, height: 800 }, (u) =>
          u.startsWith(url)
        )
        yield* Effect.promise(() => page.goto(`${url}/`))
        yield* Effect.promise(() => page.waitForSelector("body[data-loaded]"))
        const shown = (id: string) => Effect.promise(() => page.textContent(`#${id}`).then((t) => t ?? ""))
        // The page read /metrics once; read it after, and compare what did not change in between (the page's own
        // GET / and /metrics are not rerank routes, and not counted in what it shows).
        const metrics = yield* Effect.promise(() => fetch(`${url}/metrics`).then((r) => r.text()))
        const rerankRoute = (labels: string) =>
          !/http_route="(\/|\/metrics|\/healthz|\/readyz|\/status\.json|unmatched)"/.test(labels)
        const requests = total(metrics, "http_server_request_duration_count", rerankRoute)
        expect(requests).toBe(10)
        expect(yield* shown("requests")).toBe(String(requests))
        expect(yield* shown("statuses")).toBe("200: 6, 400: 1, 503: 3")
        expect(yield* shown("calls")).toBe(String(total(metrics, "rerank_calls_total", (l) => l.includes('"flaky"'))))
        expect(yield* shown("calls")).toBe("9")
        expect(yield* shown("outcomes")).toBe("ServiceError: 3, ok: 6")
        expect(yield* shown("upstream-statuses")).toBe("503: 3")
        expect(yield* shown("quota-limit")).toBe("100 per 1m")
        expect(yield* shown("upstream")).toBe("gateway to test · no key")
        const errors = yield* Effect.promise(() => page.locator("#errors tr").count())
        expect(errors).toBe(4)
        expect(yield* Effect.promise(() => page.locator("#histogram div").count())).toBeGreaterThan(10)
        expect(problems).toEqual([])
        expect(outside).toEqual([])
        const screenshot = process.env.STATUS_PAGE_SCREENSHOT
        if (screenshot !== undefined) yield* Effect.promise(() => page.screenshot({ path: screenshot }))
      }),
    60_000
  )
})
