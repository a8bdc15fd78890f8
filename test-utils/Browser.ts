/**
 * A page in a real headless browser (Debian's `chromium-headless-shell`, driven by playwright-core) for the scope,
 * watched: what it logs as an error or a warning, its uncaught errors, and every request it sends that is not its
 * own.
 */
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { chromium, type Page } from "playwright-core"

export const browserPath = "/usr/bin/chromium-headless-shell"

/** Whether the browser is installed here (`.ci/run` installs it). */
export const available = existsSync(browserPath)

export interface Watched {
  readonly page: Page
  /** Console errors and warnings, and uncaught errors. */
  readonly problems: Array<string>
  /** Requests to anything `own` does not accept. */
  readonly outside: Array<string>
}

export const openPage = (
  viewport: { readonly width: number; readonly height: number },
  own: (url: string) => boolean
) =>
  Effect.gen(function* () {
    const browser = yield* Effect.acquireRelease(
      Effect.promise(() => chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] })),
      (b) => Effect.promise(() => b.close())
    )
    const page = yield* Effect.promise(() => browser.newPage({ viewport }))
    const problems: Array<string> = []
    const outside: Array<string> = []
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text())
    })
    page.on("pageerror", (error) => problems.push(error.message))
    page.on("request", (request) => {
      if (!own(request.url())) outside.push(request.url())
    })
    return { page, problems, outside } satisfies Watched
  })
