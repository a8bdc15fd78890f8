/**
 * Bedrock's request signing against AWS's published Signature Version 4 test suite: the same function the Bedrock
 * provider calls per attempt must produce AWS's expected `Authorization` header for each case.
 */
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import * as SigV4 from "../src/internal/sigv4.js"
import suite from "./fixtures/sigv4-test-suite.json" with { type: "json" }

describe(`SigV4 signing: ${suite.source}`, () => {
  for (const vector of suite.cases) {
    it(vector.name, async () => {
      const headers = await SigV4.sign(
        {
          method: vector.method,
          url: vector.url,
          headers: vector.headers,
          body: "body" in vector ? vector.body : undefined
        },
        {
          accessKeyId: suite.credentials.accessKeyId,
          secretAccessKey: Redacted.make(suite.credentials.secretAccessKey),
          sessionToken: "sessionToken" in vector ? Redacted.make(vector.sessionToken as string) : undefined
        },
        suite.region,
        suite.service,
        Date.parse(suite.signingDate)
      )
      expect(headers.authorization).toBe(vector.authorization)
      expect(headers["x-amz-date"]).toBe("20150830T123600Z")
    })
  }
})
