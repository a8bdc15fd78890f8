/**
 * The CLI's failures and how each ends the process: one clear line on stderr naming the problem and the fix, and a
 * documented exit code per class (see docs/cli.md).
 *
 * @since 0.2.0
 */
import type { RerankError } from "@effect-rerank/core"
import * as Gateway from "@effect-rerank/server/Gateway"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * A document file that is missing, unreadable or malformed.
 *
 * @since 0.2.0
 * @category errors
 */
export class InputError extends Data.TaggedError("InputError")<{
  readonly path: string
  readonly reason: string
  /** What to do, when the flag to fix is known (a missing file named by --file). */
  readonly hint?: string | undefined
}> {
  override get message(): string {
    const what = this.path === "-" ? "stdin" : this.path
    return `cannot read ${what}: ${this.reason}${this.hint === undefined ? "" : `. ${this.hint}`}`
  }
}

/**
 * Flags that parse but make no sense together (e.g. `--provider cohere` without a key).
 *
 * @since 0.2.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * Something the server needs is not there (Redis, with `--redis-required`): it does not start.
 *
 * @since 0.2.0
 * @category errors
 */
export class StartError extends Data.TaggedError("StartError")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}

/**
 * Exit codes, one per failure class.
 *
 * @since 0.2.0
 * @category constants
 */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Input: 3,
  InvalidRequest: 4,
  Authentication: 5,
  RateLimit: 6,
  Timeout: 7,
  PayloadLimit: 8,
  Service: 9,
  Transport: 10,
  ResponseDecode: 11,
  Config: 12,
  Serve: 13,
  /** A gateway's upstream refused the gateway's own key. */
  GatewayCredentials: 14
} as const

/**
 * @since 0.2.0
 * @category models
 */
export type Failure =
  RerankError.RerankError | InputError | UsageError | StartError | ConfigError.ConfigError | HttpServerError.ServeError

const leaves = (
  error: ConfigError.ConfigError
): Array<{ readonly path: ReadonlyArray<string>; readonly message: string; readonly missing: boolean }> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...leaves(error.left), ...leaves(error.right)]
    default:
      return [{ path: error.path, message: error.message, missing: error._op === "MissingData" }]
  }
}

/** A name a user passes on the command line, as opposed to a variable (or a flag with a variable beside it). */
const isFlag = (name: string) => name.startsWith("--") && !name.includes(" ")

/**
 * A library failure said in the CLI's terms, with `names` (option or field -> flag or variable) of the provider in
 * use: a `ConfigError`, or an `InvalidRequestError` found before any request, about what flags set becomes a
 * `UsageError` naming the flags (exit 2); any other configuration problem stays a `ConfigError`, each part under
 * the name its user sets (a flag, or the provider's own variable).
 *
 * @since 0.2.0
 * @category reporting
 */
export const inTermsOf =
  (names: Readonly<Record<string, string>>) =>
  <E>(failure: E): E | UsageError | ConfigError.ConfigError => {
    if (ConfigError.isConfigError(failure)) {
      const named = leaves(failure).map((leaf) => {
        const option = leaf.path.join(".")
        return { ...leaf, name: names[option] ?? option }
      })
      if (named.every((leaf) => isFlag(leaf.name))) {
        return new UsageError({ reason: named.map((leaf) => `${leaf.name} ${leaf.message}`).join("; ") + "." })
      }
      return named
        .map((leaf) =>
          leaf.missing
            ? ConfigError.MissingData(leaf.name === "" ? [] : [leaf.name], leaf.message)
            : ConfigError.InvalidData(leaf.name === "" ? [] : [leaf.name], leaf.message)
        )
        .reduce((left, right) => ConfigError.And(left, right))
    }
    if (
      typeof failure === "object" &&
      failure !== null &&
      (failure as { _tag?: unknown })._tag === "InvalidRequestError"
    ) {
      const { attempts, field, reason } = failure as unknown as RerankError.InvalidRequestError
      const flag = field === undefined ? undefined : names[field]
      if (attempts === 0 && flag !== undefined && isFlag(flag)) return new UsageError({ reason: `${flag} ${reason}.` })
    }
    return failure
  }

/** One line: each problem under the name its user sets. */
const configLine = (error: ConfigError.ConfigError): string =>
  leaves(error)
    .map(({ message, path }) => {
      const name = path.join(".")
      const text = message.replace(/set allowInsecureHttp: true/g, "pass --allow-insecure-http")
      return name === "" ? text : `${name}: ${text}`
    })
    .join("; ")

/** What went wrong when binding, said for what it is rather than guessed. */
const serveAdvice = (cause: unknown): string => {
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  const message = cause instanceof Error ? cause.message : String(cause)
  switch (code) {
    case "EADDRINUSE":
      return `${message}: the port is in use; pick another --port (0 picks a free one).`
    case "EACCES":
      return `${message}: not allowed to bind there; ports below 1024 need privileges, try another --port.`
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${message}: --host is not an address of this machine.`
    default:
      return `${message}.`
  }
}

/** The library's advice in the words of the command line: its options are flags here. */
const flagAdvice: ReadonlyArray<readonly [string, string]> = [
  ["(lower maxDocumentsPerRequest)", "(lower --batch-size)"],
  ["enable batching or send fewer documents per call", "send fewer documents, or lower --batch-size"]
]

const inFlags = (message: string): string =>
  flagAdvice.reduce((text, [library, flags]) => text.replace(library, flags), message)

/**
 * The line to print and the code to exit with.
 *
 * @since 0.2.0
 * @category reporting
 */
export const report = (failure: Failure): { readonly code: number; readonly line: string } => {
  if (ConfigError.isConfigError(failure)) {
    return { code: ExitCode.Config, line: `configuration: ${configLine(failure)}` }
  }
  switch (failure._tag) {
    case "InputError":
      return { code: ExitCode.Input, line: failure.message }
    case "UsageError":
      return { code: ExitCode.Usage, line: failure.message }
    case "StartError":
      return { code: ExitCode.Serve, line: `cannot start the server: ${failure.reason}` }
    case "ServeError":
      return { code: ExitCode.Serve, line: `cannot start the server: ${serveAdvice(failure.cause)}` }
    case "InvalidRequestError":
      return { code: ExitCode.InvalidRequest, line: failure.message }
    case "AuthenticationError":
      return { code: ExitCode.Authentication, line: failure.message }
    case "RateLimitError":
      return {
        code: ExitCode.RateLimit,
        line: `rate limited: try again in ${Option.match(failure.retryAfter, {
          onNone: () => "a minute",
          onSome: Duration.format
        })}, or lower --concurrency.`
      }
    case "TimeoutError":
      return { code: ExitCode.Timeout, line: failure.message }
    case "PayloadLimitError":
      return { code: ExitCode.PayloadLimit, line: inFlags(failure.message) }
    case "ServiceError":
      return failure.status === 502 && failure.serverMessage?.startsWith(Gateway.upstreamCredentialsRefused) === true
        ? {
            code: ExitCode.GatewayCredentials,
            line: `the gateway's upstream credentials were refused: your key is fine, the gateway (rerank serve --upstream) holds a key its upstream does not accept. Server said: "${failure.serverMessage}".`
          }
        : { code: ExitCode.Service, line: failure.message }
    case "TransportError":
      return { code: ExitCode.Transport, line: `${failure.message} (--base-url?)` }
    case "ResponseDecodeError":
      return { code: ExitCode.ResponseDecode, line: failure.message }
  }
}

/** The commands, for naming the help to read. */
const commands = ["query", "serve", "fuse", "eval"]

/**
 * @effect/cli's message for arguments it could not parse (its help-doc text), said as one line naming the flag and
 * where to read more: the flag is found in `argv` (the arguments after the program) by the value the message quotes,
 * or, for a choice, by the one flag whose value is not a choice.
 *
 * @since 0.2.0
 * @category reporting
 */
export const parseErrorLine = (text: string, argv: ReadonlyArray<string>): string => {
  const message = text
    .replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/\s+/g, " ")
    .trim()
  const command = commands.find((c) => argv[0] === c)
  const help = command === undefined ? "rerank --help lists the commands" : `rerank ${command} --help lists every flag`
  const pairs = argv.flatMap((arg, i) =>
    arg.startsWith("-") && i + 1 < argv.length && !argv[i + 1].startsWith("-") ? [[arg, argv[i + 1]] as const] : []
  )
  const subcommand = /^Invalid subcommand for rerank - use one of (.*)$/.exec(message)
  if (subcommand !== null) {
    const wanted = subcommand[1].replace(/'/g, "")
    return argv[0] === undefined
      ? `a command is needed: one of ${wanted}.`
      : `unknown command '${argv[0]}': use one of ${wanted}.`
  }
  const missing = /^Expected to find option: '([^']+)'/.exec(message)
  if (missing !== null) return `${missing[1]} is required (${help}).`
  const unknown = /^Received unknown argument: '([^']+)'/.exec(message)
  if (unknown !== null) return `unknown argument '${unknown[1]}' (${help}).`
  const cases = /^Expected one of the following cases: (.*?)\.?$/.exec(message)
  if (cases !== null) {
    const choices = cases[1].split(", ").map((c) => c.trim())
    // A file's path or a number is another flag's value, not the mistaken choice.
    const wrong = pairs.filter(([, value]) => !choices.includes(value) && !/[/\\.]|^\d+$/.test(value))
    const named = wrong.length === 1 ? `${wrong[0][0]} ${wrong[0][1]}: ` : ""
    return `${named}expected one of ${choices.join(", ")}.`
  }
  const quoted = /^'([^']*)'/.exec(message)
  const flag = quoted === null ? undefined : pairs.find(([, value]) => value === quoted[1])
  const said = message.replace(/\.?$/, "")
  return `${flag === undefined ? "" : `${flag[0]}: `}${said.charAt(0).toLowerCase()}${said.slice(1)} (${help}).`
}
