/**
 * AWS Signature Version 4 for one request, with AWS's own maintained signer (`@smithy/signature-v4`, the AWS SDK's,
 * over the pure-JS `@aws-crypto/sha256-js`). Proven against AWS's published SigV4 test suite in the tests.
 */
import { Sha256 } from "@aws-crypto/sha256-js"
import { SignatureV4 } from "@smithy/signature-v4"
import * as Redacted from "effect/Redacted"

export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

export interface Unsigned {
  readonly method: string
  readonly url: string
  /** Lower-case names. `host` is added from the URL; it is signed, and sent by the HTTP client itself. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
}

/** Headers never signed: they may change on the way (the AWS SDK leaves the same ones out). */
const unsignable = new Set(["user-agent", "x-amzn-trace-id", "traceparent", "tracestate", "b3", "content-length"])

/**
 * The headers that sign `request` at `now` for `service` in `region`: `authorization`, `x-amz-date`, and
 * `x-amz-security-token` with temporary credentials.
 */
export const sign = async (
  request: Unsigned,
  credentials: Credentials,
  region: string,
  service: string,
  now: number
): Promise<Record<string, string>> => {
  const url = new URL(request.url)
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: Redacted.value(credentials.secretAccessKey),
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: Redacted.value(credentials.sessionToken) })
    },
    region,
    service,
    sha256: Sha256,
    applyChecksum: false
  })
  const query: Record<string, string> = {}
  url.searchParams.forEach((value, key) => {
    query[key] = value
  })
  const headers: Record<string, string> = { host: url.host }
  for (const [name, value] of Object.entries(request.headers)) {
    if (!unsignable.has(name.toLowerCase())) headers[name.toLowerCase()] = value
  }
  // The signer reads the method, path, query, headers and body only: `host` (with any port) is signed as a header,
  // and `protocol` and `hostname` are there because smithy's request type requires them.
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: decodeURIComponent(url.pathname),
      query,
      headers,
      ...(request.body === undefined ? {} : { body: request.body })
    },
    { signingDate: new Date(now) }
  )
  const out: Record<string, string> = {}
  for (const name of ["authorization", "x-amz-date", "x-amz-security-token"]) {
    const value = signed.headers[name]
    if (value !== undefined) out[name] = value
  }
  return out
}
