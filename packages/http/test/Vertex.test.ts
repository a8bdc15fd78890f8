/**
 * Vertex AI's Ranking API through the public API against a scripted token endpoint and API: the request (records by
 * id, the ranking config's path), and Google OAuth2 as Application Default Credentials find it: a service account's
 * signed JWT (verified here with its public key), a user's refresh token, a key file named by
 * GOOGLE_APPLICATION_CREDENTIALS, the metadata server; tokens cached until five minutes before expiry, one fetch for
 * concurrent windows, a refused token an `AuthenticationError` naming what to check.
 */
import { Reranker } from "@effect-rerank/core"
import { Vertex } from "@effect-rerank/http"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, TestClock } from "effect"
import { jwtVerify, importSPKI } from "jose"
import { generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Scripted from "../../../test-utils/ScriptedClient.js"

const documents = ["zero", "one", "two", "three", "four", "five"]
const query = "which one?"
const tokenUri = "https://oauth2.example.test/token"

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" }
})

const serviceAccount = {
  type: "service_account",
  client_email: "ranker@my-project.iam.gserviceaccount.com",
  private_key: keys.privateKey,
  private_key_id: "key-1",
  token_uri: tokenUri,
  project_id: "my-project"
} as const

/** The rank API answering every record by id, best last; the token endpoint handing out numbered tokens. */
const world = (tokenAnswer?: (n: number) => Scripted.Step) => {
  let tokens = 0
  const answer: Scripted.Answer = (body, _n, request) => {
    if (!request!.url.endsWith(":rank")) {
      tokens++
      return tokenAnswer?.(tokens) ?? Scripted.json(200, { access_token: `ya29.token-${tokens}`, expires_in: 3600 })
    }
    return Scripted.json(200, {
      records: (body.records as Array<{ id: string }>).map((r) => ({ id: r.id, score: Number(r.id) / 100 })).reverse()
    })
  }
  return Scripted.make(answer)
}

const rankCalls = (calls: ReadonlyArray<Scripted.Recorded>) => calls.filter((c) => c.url.endsWith(":rank"))
const tokenCalls = (calls: ReadonlyArray<Scripted.Recorded>) => calls.filter((c) => !c.url.endsWith(":rank"))

describe("Vertex AI: the request", () => {
  it.effect("records by position as id, only ids and scores asked back, the ranking config's path", () =>
    Effect.gen(function* () {
      const scripted = world()
      const layer = Vertex.layer({
        apiKey: Redacted.make("ya29.given"),
        project: "my-project",
        location: "us",
        quotaProject: "billing-project"
      }).pipe(Layer.provide(scripted.layer), Layer.orDie)
      const result = yield* Reranker.rerank({ query, documents, topN: 2 }).pipe(Effect.provide(layer))
      const [call] = scripted.calls
      expect(call.url).toBe(
        "https://discoveryengine.googleapis.com/v1/projects/my-project/locations/us/rankingConfigs/default_ranking_config:rank"
      )
      expect(call.headers.authorization).toBe("Bearer ya29.given")
      expect(call.headers["x-goog-user-project"]).toBe("billing-project")
      expect(call.body).toEqual({
        model: "semantic-ranker-default@latest",
        query,
        records: documents.map((content, id) => ({ id: String(id), content })),
        ignoreRecordDetailsInResponse: true,
        topN: 2
      })
      expect(result.results.map((r) => [r.index, r.score])).toEqual([
        [5, 0.05],
        [4, 0.04]
      ])
      expect(result.scoreKind).toBe("probability")
      expect(result.usage.billed).toEqual({ unit: "queries", quantity: 1, source: "computed" })
    })
  )

  it.effect("an answer naming a record this client never sent is a ResponseDecodeError, not a guess", () =>
    Effect.gen(function* () {
      const scripted = Scripted.make([Scripted.json(200, { records: [{ id: "doc-7", score: 0.9 }] })])
      const layer = Vertex.layer({ apiKey: Redacted.make("t"), project: "p", retry: { maxRetries: 0 } }).pipe(
        Layer.provide(scripted.layer),
        Layer.orDie
      )
      const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("ResponseDecodeError")
      if (error._tag === "ResponseDecodeError") expect(error.reason).toContain("records.0.id")
    })
  )

  it.effect("201 records are two windows, balanced: 200 is Vertex's limit a request", () =>
    Effect.gen(function* () {
      const scripted = world()
      const layer = Vertex.layer({ apiKey: Redacted.make("t"), project: "p" }).pipe(
        Layer.provide(scripted.layer),
        Layer.orDie
      )
      const many = Array.from({ length: 201 }, (_, i) => `document ${i}`)
      const result = yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer))
      expect(scripted.calls.map((c) => c.body.records.length)).toEqual([101, 100])
      expect(result.results.length).toBe(201)
      expect(result.usage.billed).toEqual({ unit: "queries", quantity: 3, source: "computed" })
    })
  )

  it.effect("a project, location or config that is not one path segment is refused at construction", () =>
    Effect.gen(function* () {
      expect(yield* Scripted.refusal(Vertex.make({ apiKey: Redacted.make("t"), project: "a/b" }))).toContain("project")
      expect(
        yield* Scripted.refusal(Vertex.make({ apiKey: Redacted.make("t"), project: "p", location: ".." }))
      ).toContain("location")
      expect(yield* Scripted.refusal(Vertex.make({ apiKey: Redacted.make("t") }))).toContain("GOOGLE_CLOUD_PROJECT")
    })
  )
})

describe("Vertex AI: tokens from a service account", () => {
  it.effect("a JWT signed with the account's key, exchanged once, reused, fetched anew near expiry", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_800_000_000_000)
      const scripted = world()
      const layer = Vertex.layer({ credentials: serviceAccount }).pipe(Layer.provide(scripted.layer), Layer.orDie)
      const reranker = yield* Effect.provide(Reranker.Reranker, layer)
      yield* reranker.rerank({ query, documents })
      const [exchange] = tokenCalls(scripted.calls)
      expect(exchange.url).toBe(tokenUri)
      expect(exchange.body.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer")
      // A real RS256 signature by the account's key, with Google's claims.
      const { payload, protectedHeader } = yield* Effect.promise(async () =>
        jwtVerify(exchange.body.assertion, await importSPKI(keys.publicKey, "RS256"))
      )
      expect(protectedHeader).toMatchObject({ alg: "RS256", kid: "key-1" })
      expect(payload).toMatchObject({
        iss: serviceAccount.client_email,
        aud: tokenUri,
        scope: "https://www.googleapis.com/auth/cloud-platform",
        iat: 1_800_000_000,
        exp: 1_800_003_600
      })
      // The project came from the key file.
      expect(rankCalls(scripted.calls)[0].url).toContain("/projects/my-project/")
      expect(rankCalls(scripted.calls)[0].headers.authorization).toBe("Bearer ya29.token-1")

      yield* TestClock.adjust("50 minutes")
      yield* reranker.rerank({ query, documents })
      expect(tokenCalls(scripted.calls).length).toBe(1)
      expect(rankCalls(scripted.calls)[1].headers.authorization).toBe("Bearer ya29.token-1")

      // Within five minutes of its expiry: a new one.
      yield* TestClock.adjust("6 minutes")
      yield* reranker.rerank({ query, documents })
      expect(tokenCalls(scripted.calls).length).toBe(2)
      expect(rankCalls(scripted.calls)[2].headers.authorization).toBe("Bearer ya29.token-2")
    })
  )

  it.effect("concurrent windows share one token fetch", () =>
    Effect.gen(function* () {
      const scripted = world()
      const layer = Vertex.layer({ credentials: serviceAccount, concurrency: 4 }).pipe(
        Layer.provide(scripted.layer),
        Layer.orDie
      )
      const many = Array.from({ length: 700 }, (_, i) => `document ${i}`)
      yield* Reranker.rerank({ query, documents: many }).pipe(Effect.provide(layer))
      expect(rankCalls(scripted.calls).length).toBe(4)
      expect(tokenCalls(scripted.calls).length).toBe(1)
    })
  )

  it.effect("a refused key is an AuthenticationError naming the account and what to check; nothing ranked", () =>
    Effect.gen(function* () {
      const scripted = world(() =>
        Scripted.json(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." })
      )
      const layer = Vertex.layer({ credentials: serviceAccount }).pipe(Layer.provide(scripted.layer), Layer.orDie)
      const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.flip)
      expect(error._tag).toBe("AuthenticationError")
      if (error._tag === "AuthenticationError") {
        expect(error.reason).toBe("invalid-key")
        expect(error.status).toBe(400)
        expect(error.serverMessage).toBe("invalid_grant: Invalid JWT Signature.")
        expect(error.hint).toContain(serviceAccount.client_email)
        expect(error.hint).toContain(tokenUri)
      }
      expect(error.attempts).toBe(1)
      expect(rankCalls(scripted.calls).length).toBe(0)
      expect(String(error)).not.toContain("PRIVATE KEY")
    })
  )

  it.effect("a token endpoint that fails transiently is retried like the API itself", () =>
    Effect.gen(function* () {
      const scripted = world((n) =>
        n === 1 ? Scripted.json(503, {}) : Scripted.json(200, { access_token: "ya29.late", expires_in: 3600 })
      )
      // Signing each assertion is real asynchronous crypto, which virtual time does not wait for: the clock moves in
      // steps, with a turn of the event loop between, until the call ends (the attempt timeout is out of the way).
      const layer = Vertex.layer({ credentials: serviceAccount, timeout: "1 day" }).pipe(
        Layer.provide(scripted.layer),
        Layer.orDie
      )
      const fiber = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.fork)
      for (let step = 0; step < 10_000 && fiber.unsafePoll() === null; step++) {
        yield* TestClock.adjust("10 seconds")
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
      const result = yield* fiber
      expect(result.results.length).toBe(documents.length)
      expect(tokenCalls(scripted.calls).length).toBe(2)
      expect(rankCalls(scripted.calls)[0].headers.authorization).toBe("Bearer ya29.late")
    })
  )

  it.effect("a private key that is not PKCS#8 PEM fails at construction, naming it, never quoting it", () =>
    Effect.gen(function* () {
      const refused = yield* Scripted.refusal(
        Vertex.make({ credentials: { ...serviceAccount, private_key: "-----BEGIN PRIVATE KEY-----\nnope\n" } })
      )
      expect(refused).toContain("private_key")
      expect(refused).toContain(serviceAccount.client_email)
      expect(refused).not.toContain("nope")
    })
  )
})

describe("Vertex AI: Application Default Credentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "vertex-adc-"))
  const keyFile = join(dir, "key.json")
  writeFileSync(keyFile, JSON.stringify(serviceAccount))
  const userFile = join(dir, "user.json")
  const user = {
    type: "authorized_user",
    client_id: "client-1.apps.googleusercontent.com",
    client_secret: "d-FL95Q19q7MQmFpd7hHD0Ty",
    refresh_token: "1//0refresh-token-secret"
  }
  writeFileSync(userFile, JSON.stringify(user))
  const withEnvironment = (variables: Record<string, string>) =>
    Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables))))

  it.effect("layerConfig: GOOGLE_APPLICATION_CREDENTIALS names the key file, GOOGLE_CLOUD_PROJECT the project", () =>
    Effect.gen(function* () {
      const scripted = world()
      const layer = Vertex.layerConfig().pipe(
        Layer.provide(scripted.layer),
        Layer.provide(
          withEnvironment({
            GOOGLE_APPLICATION_CREDENTIALS: keyFile,
            GOOGLE_CLOUD_PROJECT: "other-project",
            GOOGLE_CLOUD_LOCATION: "eu"
          })
        ),
        Layer.orDie
      )
      yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
      expect(tokenCalls(scripted.calls)[0].url).toBe(tokenUri)
      expect(rankCalls(scripted.calls)[0].url).toContain("/projects/other-project/locations/eu/")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("gcloud's user credentials: the refresh-token grant, its secrets never in an error", () =>
    Effect.gen(function* () {
      const scripted = world(() =>
        Scripted.json(400, { error: "invalid_grant", error_description: `Bad token ${user.refresh_token}` })
      )
      const layer = Vertex.layer({ keyFile: userFile, project: "p" }).pipe(Layer.provide(scripted.layer), Layer.orDie)
      const error = yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer), Effect.flip)
      const [exchange] = tokenCalls(scripted.calls)
      expect(exchange.url).toBe("https://oauth2.googleapis.com/token")
      expect(exchange.body).toEqual({
        grant_type: "refresh_token",
        client_id: user.client_id,
        client_secret: user.client_secret,
        refresh_token: user.refresh_token
      })
      expect(error._tag).toBe("AuthenticationError")
      const said = JSON.stringify(error) + String(error)
      expect(said).not.toContain(user.refresh_token)
      expect(said).not.toContain(user.client_secret)
      expect(said).toContain("gcloud auth application-default login")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("no credentials anywhere: the metadata server (GCE_METADATA_HOST), asked as Google asks", () =>
    Effect.gen(function* () {
      const scripted = world()
      const layer = Vertex.layerConfig().pipe(
        Layer.provide(scripted.layer),
        Layer.provide(
          withEnvironment({ HOME: dir, GOOGLE_CLOUD_PROJECT: "p", GCE_METADATA_HOST: "metadata.example.test" })
        ),
        Layer.orDie
      )
      yield* Reranker.rerank({ query, documents }).pipe(Effect.provide(layer))
      const [token] = tokenCalls(scripted.calls)
      expect(token.url).toBe("http://metadata.example.test/computeMetadata/v1/instance/service-accounts/default/token")
      expect(token.method).toBe("GET")
      expect(token.headers["metadata-flavor"]).toBe("Google")
      expect(rankCalls(scripted.calls)[0].headers.authorization).toBe("Bearer ya29.token-1")
    })
  )

  it.effect("a key file that cannot be read, or is not a key, fails at construction naming the variable", () =>
    Effect.gen(function* () {
      const build = (variables: Record<string, string>) =>
        Scripted.refusal(
          Effect.gen(function* () {
            return yield* Layer.build(Vertex.layerConfig())
          }).pipe(Effect.scoped, Effect.provide(withEnvironment(variables)))
        )
      const missing = yield* build({
        GOOGLE_APPLICATION_CREDENTIALS: join(dir, "absent.json"),
        GOOGLE_CLOUD_PROJECT: "p"
      })
      expect(missing).toContain("GOOGLE_APPLICATION_CREDENTIALS")
      const notKey = join(dir, "not-key.json")
      writeFileSync(notKey, JSON.stringify({ type: "external_account" }))
      expect(yield* build({ GOOGLE_APPLICATION_CREDENTIALS: notKey, GOOGLE_CLOUD_PROJECT: "p" })).toContain(
        "neither a service account key"
      )
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("without a file system (a browser, a Worker), a key file is refused naming what to do instead", () =>
    Effect.gen(function* () {
      const refused = yield* Scripted.refusal(Vertex.make({ keyFile, project: "p" }))
      expect(refused).toContain("no file system to read it from")
      expect(refused).toContain("credentials")
    })
  )
})

describe("Vertex AI: where tokens may be fetched", () => {
  it.effect("a token_uri in clear off loopback is refused at construction: the grant would travel unencrypted", () =>
    Effect.gen(function* () {
      const refused = yield* Scripted.refusal(
        Vertex.make({ credentials: { ...serviceAccount, token_uri: "http://oauth2.example.test/token" } })
      )
      expect(refused).toContain("token_uri")
      expect(
        yield* Scripted.refusal(
          Vertex.make({ credentials: { ...serviceAccount, token_uri: "http://127.0.0.1:9/token" } })
        )
      ).toBe("accepted")
    })
  )
})
