/**
 * Google OAuth2 access tokens for Vertex AI, as Application Default Credentials find them: a service account's key
 * (a JWT signed with its private key, exchanged at its `token_uri`), a user's `gcloud auth application-default login`
 * refresh token, or the metadata server of the machine the code runs on. A token is cached until five minutes before
 * it expires and fetched once however many windows ask at the same time.
 *
 * Sources: Google's OAuth2 for service accounts (developers.google.com/identity/protocols/oauth2/service-account:
 * RS256 JWT with `iss`, `scope`, `aud` = the token URI, `iat`, `exp` at most an hour later; `grant_type`
 * `urn:ietf:params:oauth:grant-type:jwt-bearer`), the refresh-token grant (RFC 6749 section 6), the metadata server's
 * `computeMetadata/v1/instance/service-accounts/default/token` with `Metadata-Flavor: Google`, and the ADC search order
 * of Google's auth libraries (`GOOGLE_APPLICATION_CREDENTIALS`, then gcloud's well-known file, then the metadata
 * server). The JWT is signed with `jose`, which uses Web Crypto.
 */
import { RerankError } from "@effect-rerank/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { importPKCS8, SignJWT } from "jose"
import * as ResponseError from "./responseError.js"
import * as Transport from "./transport.js"

/** Google's token endpoint, where a key file names none. */
export const defaultTokenUri = "https://oauth2.googleapis.com/token"

/** The scope every Google Cloud API accepts. */
export const cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

/** The metadata server's host; `GCE_METADATA_HOST` moves it, as Google's libraries allow. */
export const defaultMetadataHost = "metadata.google.internal"

/** A token this close to its expiry is fetched anew: a call that starts with it must not see it expire. */
const refreshMargin = 5 * 60 * 1000

/**
 * A service account's key file (`"type": "service_account"`), as the Cloud console downloads it.
 */
export const ServiceAccount = Schema.Struct({
  type: Schema.Literal("service_account"),
  client_email: Schema.NonEmptyString,
  private_key: Schema.NonEmptyString,
  private_key_id: Schema.optional(Schema.String),
  token_uri: Schema.optional(Schema.NonEmptyString),
  project_id: Schema.optional(Schema.String)
})

/**
 * A user's credentials from `gcloud auth application-default login` (`"type": "authorized_user"`).
 */
export const AuthorizedUser = Schema.Struct({
  type: Schema.Literal("authorized_user"),
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
  refresh_token: Schema.NonEmptyString,
  token_uri: Schema.optional(Schema.NonEmptyString),
  quota_project_id: Schema.optional(Schema.String)
})

/** A credentials file's content. */
export const Credentials = Schema.Union(ServiceAccount, AuthorizedUser)
export type Credentials = typeof Credentials.Type

const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  expires_in: Schema.optional(Schema.Number.pipe(Schema.positive(), Schema.finite()))
})

/** Where tokens come from, and who they are for: the account names the cache's and the quota's scope. */
export interface TokenSource {
  readonly token: Effect.Effect<Redacted.Redacted<string>, RerankError.AuthenticationError | RerankError.TransportError>
  /** The account (a service account's email, a user's client id, `metadata`): never a secret. */
  readonly account: string
}

/** Credentials from a key file's text, or what is wrong with them (never quoting the file). */
export const parseCredentials = (text: string, source: string): Either.Either<Credentials, ConfigError.ConfigError> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(
      ConfigError.InvalidData(["credentials"], `${source} is not JSON: give a service account key file`)
    )
  }
  return Either.mapLeft(Schema.decodeUnknownEither(Credentials)(json), () =>
    ConfigError.InvalidData(
      ["credentials"],
      `${source} is neither a service account key (type "service_account" with client_email and private_key) nor gcloud's application default credentials (type "authorized_user")`
    )
  )
}

interface Fetched {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number
}

/** One exchange at a token endpoint: a 4xx is the credentials' fault (never retried), the rest transient. */
const exchange = (
  client: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  what: string,
  check: string,
  scrub: (text: string) => string
): Effect.Effect<Fetched, RerankError.AuthenticationError | RerankError.TransportError> =>
  Effect.gen(function* () {
    const response = yield* client
      .execute(request)
      .pipe(
        Effect.mapError(
          () => new RerankError.TransportError({ reason: `the token request to ${what} did not complete: ${check}` })
        )
      )
    const text = yield* response.text.pipe(
      Effect.mapError(
        () => new RerankError.TransportError({ reason: `the token response from ${what} was cut off: ${check}` })
      )
    )
    const now = yield* Clock.currentTimeMillis
    let json: unknown = undefined
    try {
      json = JSON.parse(text)
    } catch {
      // Said below by status, never by quoting a body that may not be the endpoint's.
    }
    if (response.status >= 400) {
      const body = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>
      const said = [body.error, body.error_description].filter((part) => typeof part === "string").join(": ")
      const fields = {
        status: response.status,
        serverMessage: ResponseError.serverText(said, scrub),
        hint: `Vertex AI could not get an access token from ${what}: ${check}`
      }
      return yield* response.status < 500 && response.status !== 429
        ? Effect.fail(new RerankError.AuthenticationError({ ...fields, reason: "invalid-key" }))
        : Effect.fail(
            new RerankError.TransportError({
              reason: `the token endpoint ${what} answered ${response.status}`,
              ...fields
            })
          )
    }
    const decoded = Schema.decodeUnknownEither(TokenResponse)(json)
    if (Either.isLeft(decoded)) {
      return yield* new RerankError.TransportError({
        reason: `the token endpoint ${what} answered without an access token: ${check}`,
        status: response.status
      })
    }
    const seconds = decoded.right.expires_in ?? 3600
    return { token: Redacted.make(decoded.right.access_token), expiresAt: now + seconds * 1000 }
  })

/** A token source over `fetch`, cached until shortly before expiry, one fetch at a time. */
const cached = (
  account: string,
  fetch: Effect.Effect<Fetched, RerankError.AuthenticationError | RerankError.TransportError>
): Effect.Effect<TokenSource> =>
  Effect.map(SynchronizedRef.make(Option.none<Fetched>()), (ref) => ({
    account,
    token: SynchronizedRef.modifyEffect(ref, (current) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Option.isSome(current) && current.value.expiresAt - refreshMargin > now
          ? Effect.succeed([current.value.token, current] as const)
          : Effect.map(fetch, (fetched) => [fetched.token, Option.some(fetched)] as const)
      )
    )
  }))

const form = (url: string, params: Record<string, string>) =>
  HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson, HttpClientRequest.bodyUrlParams(params))

/**
 * Tokens for `credentials`. A service account's private key is read here, once: a key that is not PKCS#8 PEM fails
 * with a `ConfigError`, not at the first call.
 */
export const fromCredentials = (
  credentials: Credentials,
  source: string
): Effect.Effect<TokenSource, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    // No redirects: a token request carries a signed assertion or a refresh token.
    const client = HttpClient.followRedirects(yield* HttpClient.HttpClient, 0)
    const tokenUri = credentials.token_uri ?? defaultTokenUri
    // A token request carries a signed assertion, or a refresh token and a client secret: never in clear off loopback.
    const parsed = URL.canParse(tokenUri) ? new URL(tokenUri) : undefined
    if (
      parsed === undefined ||
      !(parsed.protocol === "https:" || (parsed.protocol === "http:" && Transport.isLoopback(parsed.hostname)))
    ) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          ["credentials", "token_uri"],
          `the token_uri in ${source} must be an https URL (plain http only to loopback)`
        )
      )
    }
    if (credentials.type === "authorized_user") {
      const scrub = ResponseError.scrubber([credentials.client_secret, credentials.refresh_token])
      return yield* cached(
        credentials.client_id,
        exchange(
          client,
          form(tokenUri, {
            grant_type: "refresh_token",
            client_id: credentials.client_id,
            client_secret: credentials.client_secret,
            refresh_token: credentials.refresh_token
          }),
          tokenUri,
          `check the user credentials in ${source} (run gcloud auth application-default login again)`,
          scrub
        )
      )
    }
    const key = yield* Effect.tryPromise({
      try: () => importPKCS8(credentials.private_key, "RS256"),
      catch: () =>
        ConfigError.InvalidData(
          ["credentials", "private_key"],
          `the private key in ${source} is not a PKCS#8 PEM RSA key: download a new key for ${credentials.client_email}`
        )
    })
    const scrub = ResponseError.scrubber([credentials.private_key])
    const check = `check that ${credentials.client_email} (from ${source}) exists, that its key${credentials.private_key_id === undefined ? "" : ` ${credentials.private_key_id}`} is not deleted or disabled, and that the machine's clock is right`
    const assertion = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const issuedAt = Math.floor(now / 1000)
      return Effect.tryPromise({
        try: () =>
          new SignJWT({ scope: cloudPlatformScope })
            .setProtectedHeader({
              alg: "RS256",
              typ: "JWT",
              ...(credentials.private_key_id === undefined ? {} : { kid: credentials.private_key_id })
            })
            .setIssuer(credentials.client_email)
            .setAudience(tokenUri)
            .setIssuedAt(issuedAt)
            .setExpirationTime(issuedAt + 3600)
            .sign(key),
        catch: () =>
          new RerankError.AuthenticationError({
            reason: "invalid-key",
            hint: `Vertex AI could not sign a token request with the key in ${source}: ${check}`
          })
      })
    })
    return yield* cached(
      credentials.client_email,
      Effect.flatMap(assertion, (jwt) =>
        exchange(
          client,
          form(tokenUri, { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt }),
          tokenUri,
          check,
          scrub
        )
      )
    )
  })

/** Tokens from the metadata server of the Google Cloud machine (or Cloud Run, GKE...) the code runs on. */
export const fromMetadataServer = (host: string): Effect.Effect<TokenSource, never, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const client = HttpClient.followRedirects(yield* HttpClient.HttpClient, 0)
    const url = `http://${host}/computeMetadata/v1/instance/service-accounts/default/token`
    return yield* cached(
      "metadata",
      exchange(
        client,
        HttpClientRequest.get(url).pipe(
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("metadata-flavor", "Google")
        ),
        url,
        "no credentials were given and this is not a Google Cloud machine, or its service account has no token: set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run gcloud auth application-default login",
        (text) => text
      )
    )
  })
