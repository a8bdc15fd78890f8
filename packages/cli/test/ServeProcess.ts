/**
 * `rerank serve` as a child process, as an operator runs it: its URL (read from what it announces), what it printed
 * on stdout (the request log) and stderr, and how it exited once stopped.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../../", import.meta.url))

export const bin = join(root, "packages/cli/bin/rerank.mjs")

export interface Served {
  readonly url: string
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>
}

/** Starts `rerank serve --port 0 ...args`; stopped (SIGKILL) when the scope closes, if it is still running. */
export const serve = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.acquireRelease(
    Effect.async<Served, Error>((resume) => {
      const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      let started = false
      const exited = new Promise<number | string>((resolve) =>
        child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))
      )
      child.stdout.on("data", (chunk) => (stdout += String(chunk)))
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk)
        const match = /listening on (http:\/\/[^:]+:\d+)/.exec(stderr)
        if (match !== null && !started) {
          started = true
          resume(Effect.succeed({ url: match[1], child, stdout: () => stdout, stderr: () => stderr, exited }))
        }
      })
      void exited.then((code) => {
        if (!started) resume(Effect.fail(new Error(`rerank serve exited ${code}: ${stderr}`)))
      })
    }),
    (served) => Effect.sync(() => served.child.kill("SIGKILL"))
  )
