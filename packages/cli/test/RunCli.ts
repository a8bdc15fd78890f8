/**
 * The built `rerank` binary run as a user runs it, in a child process, with no provider's key or AWS credential in
 * its environment unless a test gives one: its exit code, stdout and stderr.
 */
import { Effect } from "effect"
import { execFile } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../../", import.meta.url))
export const bin = join(root, "packages/cli/bin/rerank.mjs")

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Every provider's key and base-URL variables, and AWS's and Google's credentials. */
const providerVariable =
  /^(CO|COHERE|JINA|VOYAGE|MXBAI|PINECONE|TOGETHER|TEI|VLLM|NVIDIA|NIM|ZEROENTROPY|CONTEXTUAL|OPENROUTER|VERTEX)_|^AWS_|^GOOGLE_|^GCE_/

export const rerank = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.async<Run>((resume) => {
    const base = { ...process.env }
    for (const name of Object.keys(base)) if (providerVariable.test(name)) delete base[name]
    execFile(process.execPath, [bin, ...args], { env: { ...base, ...env }, cwd: root }, (error, stdout, stderr) => {
      resume(Effect.succeed({ code: error === null ? 0 : (error.code as number), stdout, stderr }))
    })
  })
