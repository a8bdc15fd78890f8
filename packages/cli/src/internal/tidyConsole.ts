/**
 * The console the CLI prints through, @effect/cli's help and messages included: no ANSI styling when the stream is
 * not a terminal or NO_COLOR is set, and two of @effect/cli's wordings mended (usage lines name the program, "an
 * integer").
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const ansi = /\u001b\[[0-9;]*m/g

const tidy = (stream: NodeJS.WriteStream) => {
  const plain = !stream.isTTY || (process.env.NO_COLOR ?? "") !== ""
  return (value: unknown): unknown => {
    if (typeof value !== "string") return value
    const text = value.replace(/^\$ (query|serve|fuse)\b/gm, "$ rerank $1").replace(/\ba integer\b/g, "an integer")
    return plain ? text.replace(ansi, "") : text
  }
}

const tidyOf = (console: Console.Console): Console.Console => {
  const out = tidy(process.stdout)
  const err = tidy(process.stderr)
  return {
    ...console,
    log: (...args) => console.log(...args.map(out)),
    info: (...args) => console.info(...args.map(out)),
    error: (...args) => console.error(...args.map(err)),
    warn: (...args) => console.warn(...args.map(err)),
    unsafe: {
      ...console.unsafe,
      log: (...args) => console.unsafe.log(...args.map(out)),
      info: (...args) => console.unsafe.info(...args.map(out)),
      error: (...args) => console.unsafe.error(...args.map(err)),
      warn: (...args) => console.unsafe.warn(...args.map(err))
    }
  }
}

/** Runs `self` printing through the tidy console. */
export const run = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) => Effect.withConsole(self, tidyOf(console)))
