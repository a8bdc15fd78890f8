/**
 * The console the CLI prints through, @effect/cli's help and messages included: no ANSI styling when the stream is
 * not a terminal or NO_COLOR is set, and two of @effect/cli's wordings mended (usage lines name the program, "an
 * integer"). What @effect/cli writes on stderr before a command starts (its messages about arguments it cannot
 * parse) is held: the CLI says them in one `rerank:` line of its own instead (`CliError.parseErrorLine`); a command
 * that starts (`started`) lets anything held through.
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const ansi = /\u001b\[[0-9;]*m/g

const tidy = (stream: NodeJS.WriteStream) => {
  const plain = !stream.isTTY || (process.env.NO_COLOR ?? "") !== ""
  return (value: unknown): unknown => {
    if (typeof value !== "string") return value
    const text = value.replace(/^\$ (query|serve|fuse|eval)\b/gm, "$ rerank $1").replace(/\ba integer\b/g, "an integer")
    return plain ? text.replace(ansi, "") : text
  }
}

/** stderr writes held while arguments are parsed; `undefined` once a command has started. */
let held: Array<ReadonlyArray<unknown>> | undefined = []

/**
 * A command has started: what was held is written, and nothing is held any more.
 */
export const started: Effect.Effect<void> = Effect.suspend(() => {
  const pending = held ?? []
  held = undefined
  return Effect.forEach(pending, (args) => Console.error(...args), { discard: true })
})

/**
 * What was held is dropped (the CLI says it in its own words), and nothing is held any more.
 */
export const discardHeld: Effect.Effect<void> = Effect.sync(() => {
  held = undefined
})

const tidyOf = (console: Console.Console): Console.Console => {
  const out = tidy(process.stdout)
  const err = tidy(process.stderr)
  return {
    ...console,
    log: (...args) => console.log(...args.map(out)),
    info: (...args) => console.info(...args.map(out)),
    error: (...args) =>
      held === undefined ? console.error(...args.map(err)) : Effect.sync(() => void held?.push(args.map(err))),
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
