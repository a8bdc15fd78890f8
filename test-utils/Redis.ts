/**
 * A real `redis-server` for a test's scope (Debian's package; `.ci/run` installs it): a free loopback port,
 * persistence off, stopped when the scope closes. `stop` / `start` simulate an outage.
 */
import { Effect, Schedule, type Scope } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { connect, createServer } from "node:net"

const freePort = () =>
  Effect.async<number>((resume) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resume(Effect.succeed(port)))
    })
  })

/** Whether `redis-server` is installed: tests that need it skip, visibly, when it is not. */
export const available = (() => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

const ping = (port: number) =>
  Effect.tryPromise(
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1")
        socket.once("data", (data: Buffer) => {
          socket.destroy()
          if (data.toString().startsWith("+PONG")) resolve()
          else reject(new Error(data.toString()))
        })
        socket.once("error", reject)
        socket.write("PING\r\n")
      })
  )

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** Kills the server (an outage); `start` brings it back on the same port, empty. */
  readonly stop: Effect.Effect<void>
  readonly start: Effect.Effect<void>
}

export const start: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.gen(function* () {
  const port = yield* freePort()
  let child: ChildProcess | undefined
  const launch = Effect.gen(function* () {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
      { stdio: "ignore" }
    )
    // Live time: Redis tests run with the real clock.
    yield* ping(port).pipe(
      Effect.retry(Schedule.intersect(Schedule.recurs(400), Schedule.spaced("25 millis"))),
      Effect.orDie
    )
  })
  const kill = Effect.async<void>((resume) => {
    if (child === undefined || child.exitCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
    child.kill("SIGKILL")
  })
  yield* Effect.acquireRelease(launch, () => kill)
  return { url: `redis://127.0.0.1:${port}`, port, stop: kill, start: launch }
})
