/**
 * Bedrock's request signing against AWS's published Signature Version 4 test suite: the same function the Bedrock
 * provider calls per attempt must produce AWS's expected `Authorization` header for each case.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as SigV4 from "../src/internal/sigv4.js"
import suite from "./fixtures/sigv4-test-suite.json" with { type: "json" }

const credentials = (sessionToken?: string): SigV4.Credentials => ({
  accessKeyId: suite.credentials.accessKeyId,
  secretAccessKey: Redacted.make(suite.credentials.secretAccessKey),
  sessionToken: sessionToken === undefined ? undefined : Redacted.make(sessionToken)
})

const signAt = (request: SigV4.Unsigned, sessionToken?: string) =>
  SigV4.sign(request, credentials(sessionToken), suite.region, suite.service, Date.parse(suite.signingDate))

describe(`SigV4 signing: ${suite.source}`, () => {
  for (const vector of suite.cases) {
    it(vector.name, async () => {
      const headers = await signAt(
        {
          method: vector.method,
          url: vector.url,
          headers: vector.headers,
          body: "body" in vector ? vector.body : undefined
        },
        "sessionToken" in vector ? (vector.sessionToken as string) : undefined
      )
      expect(headers.authorization).toBe(vector.authorization)
      expect(headers["x-amz-date"]).toBe("20150830T123600Z")
      // Only the headers to add: the session token's when there is one, nothing set to undefined.
      expect(Object.keys(headers).sort()).toEqual(
        "sessionToken" in vector
          ? ["authorization", "x-amz-date", "x-amz-security-token"]
          : ["authorization", "x-amz-date"]
      )
    })
  }

  it("a port is signed as part of the host header; the scheme's default port is not written, so not signed", async () => {
    const vanilla = suite.cases.find((vector) => vector.name === "get-vanilla")!
    const at = (url: string) => signAt({ method: "GET", url, headers: {} }).then((headers) => headers.authorization)
    expect(await at("https://example.amazonaws.com:443/")).toBe(vanilla.authorization)
    const elsewhere = await at("https://example.amazonaws.com:8443/")
    expect(elsewhere).not.toBe(vanilla.authorization)
    const hostHeader = await signAt({
      method: "GET",
      url: "https://example.amazonaws.com/",
      headers: { host: "example.amazonaws.com:8443" }
    })
    expect(elsewhere).toBe(hostHeader.authorization)
  })
})
