/**
 * What a gateway tells its operator about Redis, once and clearly: one line when it cannot be reached (at start, or
 * when it goes away), then at most one reminder a minute while it stays away; never ioredis's own stack traces,
 * which it prints on every reconnection attempt when nobody listens to its client (about four a second).
 */
import type { Stores } from "@effect-rerank/server"

/** Between two reminders that Redis is still away. */
const reminderEveryMs = 60_000

/** Where Redis is, as an operator reads it: host and port, never the password a URL may carry. */
export const where = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port === "" ? "6379" : parsed.port}`
  } catch {
    return "the configured Redis"
  }
}

const say = (line: string) => process.stderr.write(`rerank: ${line}\n`)

/** ioredis prints these itself, to `console.error`, when its client has no error listener: replaced by ours. */
const quietIoredis = () => {
  const original = console.error
  console.error = (...args: Array<unknown>) => {
    if (typeof args[0] === "string" && args[0].startsWith("[ioredis]")) return
    original(...args)
  }
}

export const make = (required: boolean) => {
  let address = "the configured Redis"
  let last: number | undefined
  const tell = (line: string) => {
    last = Date.now()
    say(line)
  }
  const watch: Stores.Watch = {
    onUnreachable: () => {
      if (last === undefined) {
        tell(
          `Redis at ${address} cannot be reached: ${required ? "calls are refused (503)" : "calls are not paced and scores not shared"} until it is back.`
        )
      } else if (Date.now() - last >= reminderEveryMs) {
        tell(`Redis at ${address} still cannot be reached.`)
      }
    }
  }
  return {
    watch,
    /** Redis is in use, at `where`: its client's own prints are replaced by these notices. */
    watchAddress: (where: string) => {
      address = where
      quietIoredis()
    },
    unreachableAtStart: () =>
      tell(
        `Redis at ${address} cannot be reached: calls go out unpaced and scores are not shared until it is back (--redis-required refuses them instead).`
      )
  }
}
