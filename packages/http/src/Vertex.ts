/**
 * Google's Vertex AI Ranking API (Discovery Engine `rankingConfigs.rank`) as a `Reranker`, authenticated with Google
 * OAuth2 access tokens from a service account key, gcloud's application default credentials, the metadata server, or
 * a token of your own.
 *
 * Sources: the REST reference (cloud.google.com/generative-ai-app-builder/docs/reference/rest/v1/
 * projects.locations.rankingConfigs/rank: `POST https://discoveryengine.googleapis.com/v1/{rankingConfig=projects/*
 * /locations/*\/rankingConfigs/*}:rank`, body `model`, `topN` (unset: every record), `query`, `records[]` (`id`,
 * `title`, `content`; "at most 200 records"), `ignoreRecordDetailsInResponse`; response `records[]` with `id` and
 * `score`, sorted by score descending); the ranking guide's models (`semantic-ranker-default@latest` and its dated
 * versions, `semantic-ranker-fast-004`, `semantic-ranker-512@latest`) and scores in [0, 1]; errors in Google's shape,
 * `{"error": {"code", "message", "status"}}`; pricing (cloud.google.com/generative-ai-app-builder/pricing, read
 * 2026-12-03): $1.00 per 1,000 queries, a query being up to 100 records.
 *
 * @since 0.2.0
 */
import { type Billing, OptionSchema } from "@effect-rerank/core"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import * as HttpProvider from "./HttpProvider.js"
import * as LayerConfig from "./internal/config.js"
import * as GoogleAuth from "./internal/googleAuth.js"
import * as Wire from "./internal/wire.js"

/**
 * Vertex AI's ranking models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category constants
 */
export const models = [
  "semantic-ranker-default@latest",
  "semantic-ranker-default-004",
  "semantic-ranker-fast-004",
  "semantic-ranker-default-003",
  "semantic-ranker-512@latest",
  "semantic-ranker-512-003"
] as const

/**
 * Vertex AI's ranking models; any other string is allowed too.
 *
 * @since 0.2.0
 * @category models
 */
export type Model = (typeof models)[number] | (string & {})

/**
 * @since 0.2.0
 * @category constants
 */
export const defaults = {
  baseUrl: "https://discoveryengine.googleapis.com",
  model: "semantic-ranker-default@latest",
  // "At most 200 records to rank."
  maxDocumentsPerRequest: 200,
  location: "global",
  rankingConfig: "default_ranking_config"
} as const

/**
 * Default prices: $1.00 per 1,000 queries, a query being up to 100 records (read 2026-12-03, see the module's
 * sources); pass `prices` to override.
 *
 * @since 0.2.0
 * @category constants
 */
export const prices: Billing.Prices = { "*": { unit: "queries", usd: 1, per: 1000 } }

/**
 * A service account key file's content, or gcloud's application default credentials (`authorized_user`).
 *
 * @since 0.2.0
 * @category models
 */
export type Credentials = GoogleAuth.Credentials

/**
 * Where access tokens come from: built from the credentials by the constructors, or your own (a token from another
 * auth library, wrapped in an `Effect`). `account` scopes the score cache and the quota; it is never a secret.
 *
 * @since 0.2.0
 * @category models
 */
export type TokenSource = GoogleAuth.TokenSource

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends HttpProvider.CommonOptions {
  /** An access token as it is (`gcloud auth print-access-token`), sent as is until it expires. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly model?: Model | undefined
  /** The Google Cloud project id; default: the key file's `project_id`. */
  readonly project?: string | undefined
  /** Default `"global"`. */
  readonly location?: string | undefined
  /** Default `"default_ranking_config"`. */
  readonly rankingConfig?: string | undefined
  /** The credentials themselves (a parsed key file); else `keyFile`; else Application Default Credentials. */
  readonly credentials?: Credentials | undefined
  /** A key file's path (read once, at construction). */
  readonly keyFile?: string | undefined
  /** Tokens from elsewhere; wins over `credentials` and `keyFile`. */
  readonly tokens?: TokenSource | undefined
  /** `x-goog-user-project`: the project billed and whose quota is used, where it differs from `project`. */
  readonly quotaProject?: string | undefined
}

/**
 * `POST /v1/projects/{project}/locations/{location}/rankingConfigs/{rankingConfig}:rank`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Request = Schema.Struct({
  model: Wire.nullable(Schema.String),
  query: Schema.String,
  records: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      title: Wire.nullable(Schema.String),
      content: Wire.nullable(Schema.String)
    })
  ),
  topN: Wire.nullable(Schema.Number),
  ignoreRecordDetailsInResponse: Wire.nullable(Schema.Boolean)
})

/**
 * The 200 body: the records ranked, best first (only the best `topN` when it was set).
 *
 * @since 0.2.0
 * @category schemas
 */
export const Response = Schema.Struct({
  records: Wire.nullable(
    Schema.Array(
      Schema.Struct({
        id: Schema.String,
        score: Wire.nullable(Schema.Number),
        title: Wire.nullable(Schema.String),
        content: Wire.nullable(Schema.String)
      })
    )
  )
})

/** The rank path of a ranking config; `{project}` where none is set yet (the docs' table). */
const rankPath = (options: Options) =>
  `/v1/projects/${options.project ?? "{project}"}/locations/${options.location ?? defaults.location}/rankingConfigs/${
    options.rankingConfig ?? defaults.rankingConfig
  }:rank`

/** A resource id segment: no slash, colon or dot segment, which would address another resource. */
const Segment = OptionSchema.matching(/^(?!\.\.?$)[A-Za-z0-9._~-]+$/, "a resource id (letters, digits, . _ ~ -)")

/** A record's id is its position in the window: answers name records by id only. */
const toResults = (
  response: typeof Response.Type
): Either.Either<Array<{ readonly index: number; readonly score: number }>, string> => {
  const results: Array<{ index: number; score: number }> = []
  for (const [i, record] of (response.records ?? []).entries()) {
    if (!/^(0|[1-9][0-9]*)$/.test(record.id)) return Either.left(`records.${i}.id is not a record this client sent`)
    // A record Vertex scores 0 may come without its score: proto3 leaves a zero out.
    results.push({ index: Number(record.id), score: record.score ?? 0 })
  }
  return Either.right(results)
}

const decodeBody = Schema.decodeUnknownEither(Response, { errors: "first" })

/**
 * @since 0.2.0
 * @category protocol
 */
export const protocol: HttpProvider.WireProtocol<Options> = {
  system: "gcp.vertex_ai",
  defaults,
  // "At most 200 records to rank", whatever the model.
  maxDocumentsFor: () => defaults.maxDocumentsPerRequest,
  options: Schema.Struct({
    project: Schema.optional(Segment),
    location: Schema.optional(Segment),
    rankingConfig: Schema.optional(Segment),
    keyFile: Schema.optional(OptionSchema.NonEmptyString),
    quotaProject: Schema.optional(Segment)
  }),
  path: rankPath,
  keyAdvice:
    "Vertex AI takes Google OAuth2 access tokens: set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, run gcloud auth application-default login, or set GOOGLE_OAUTH_ACCESS_TOKEN; the account needs the Discovery Engine API enabled in the project and the discoveryengine.rankingConfigs.rank permission.",
  endpointAdvice:
    "Vertex AI's Ranking API answers POST /v1/projects/<project>/locations/<location>/rankingConfigs/default_ranking_config:rank (VERTEX_BASE_URL); check GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION.",
  headers: (options) =>
    options.quotaProject === undefined ? undefined : { "x-goog-user-project": options.quotaProject },
  // Tokens come per attempt from the token source (cached until shortly before they expire).
  signer: (options) => {
    const tokens = options.tokens
    return options.apiKey !== undefined || tokens === undefined
      ? undefined
      : (request) => Effect.map(tokens.token, (token) => HttpClientRequest.bearerToken(request, token))
  },
  // The account, not a secret, names the cache's and the quota's scope.
  secretsOf: (options) => (options.tokens === undefined ? [] : [options.tokens.account]),
  encodeRequest: (request) => {
    const body: Mutable<typeof Request.Encoded> = {
      model: request.model,
      query: request.query,
      records: request.documents.map((content, id) => ({ id: String(id), content })),
      // Only ids and scores are wanted back: the results hold the caller's own documents.
      ignoreRecordDetailsInResponse: true
    }
    const topN = Option.getOrUndefined(request.topN)
    if (topN !== undefined) body.topN = topN
    return body
  },
  scoreKind: () => "probability",
  billing: { unit: "queries", computed: Wire.perHundredDocuments, prices },
  decodeResponse: (json) =>
    Either.flatMap(Either.mapLeft(decodeBody(json), Wire.describeIssue), (response) =>
      Either.map(toResults(response), (results) => ({ results }))
    ),
  errors: { errorBody: Wire.openAiError }
}

/**
 * A file's text through the platform's `FileSystem` (`NodeContext.layer`, or Bun's), when the program has one:
 * `None` without it (a browser, a Worker), where credentials are given as values.
 */
const readText = (path: string): Effect.Effect<Option.Option<Either.Either<string, unknown>>> =>
  Effect.flatMap(Effect.serviceOption(FileSystem.FileSystem), (fs) =>
    Option.match(fs, {
      onNone: () => Effect.succeed(Option.none()),
      onSome: (fs) => Effect.map(Effect.either(fs.readFileString(path)), Option.some)
    })
  )

/** A key file's credentials, read once at construction. */
const readKeyFile = (path: string, variable: string): Effect.Effect<GoogleAuth.Credentials, ConfigError.ConfigError> =>
  Effect.flatMap(readText(path), (read) =>
    Option.match(read, {
      onNone: () =>
        Effect.fail(
          ConfigError.InvalidData(
            ["keyFile"],
            `${variable} names ${path}, but this program has no file system to read it from: provide one (NodeContext.layer) or pass the key file's content as credentials`
          )
        ),
      onSome: Either.match({
        onLeft: () =>
          Effect.fail(
            ConfigError.InvalidData(
              ["keyFile"],
              `${variable} names ${path}, which cannot be read: give the key file's path`
            )
          ),
        onRight: (text) => GoogleAuth.parseCredentials(text, path)
      })
    })
  )

/** gcloud's application default credentials, where `gcloud auth application-default login` writes them. */
const wellKnownFile = Effect.gen(function* () {
  const windows = Option.getOrUndefined(yield* Config.option(Config.string("APPDATA")))
  const home = Option.getOrUndefined(yield* Config.option(Config.string("HOME")))
  const path =
    windows !== undefined
      ? `${windows}/gcloud/application_default_credentials.json`
      : home === undefined
        ? undefined
        : `${home}/.config/gcloud/application_default_credentials.json`
  if (path === undefined) return undefined
  // Absent (or no file system at all) is the usual case, not an error: the metadata server is next.
  const read = yield* readText(path)
  return Option.isSome(read) && Either.isRight(read.value)
    ? yield* GoogleAuth.parseCredentials(read.value.right, path)
    : undefined
})

/**
 * The token source: the caller's own, else tokens for the credentials given, the key file, `GOOGLE_APPLICATION_
 * CREDENTIALS`, gcloud's well-known file, else the metadata server; and the project, from the options or the key file.
 */
const complete = (options: Options): Effect.Effect<Options, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function* () {
    if (options.apiKey !== undefined || options.tokens !== undefined) return yield* withProject(options, undefined)
    const fromVariable = Option.getOrUndefined(
      yield* Config.option(Config.nonEmptyString("GOOGLE_APPLICATION_CREDENTIALS"))
    )
    const credentials =
      options.credentials ??
      (options.keyFile !== undefined
        ? yield* readKeyFile(options.keyFile, "keyFile")
        : fromVariable !== undefined
          ? yield* readKeyFile(fromVariable, "GOOGLE_APPLICATION_CREDENTIALS")
          : yield* wellKnownFile)
    const source =
      options.credentials !== undefined
        ? "the credentials option"
        : (options.keyFile ?? fromVariable ?? "gcloud's application default credentials")
    const tokens =
      credentials === undefined
        ? yield* GoogleAuth.fromMetadataServer(
            Option.getOrElse(
              yield* Config.option(Config.nonEmptyString("GCE_METADATA_HOST")),
              () => GoogleAuth.defaultMetadataHost
            )
          )
        : yield* GoogleAuth.fromCredentials(credentials, source)
    return yield* withProject({ ...options, tokens }, credentials)
  })

const withProject = (
  options: Options,
  credentials: GoogleAuth.Credentials | undefined
): Effect.Effect<Options, ConfigError.ConfigError> => {
  const project = options.project ?? (credentials?.type === "service_account" ? credentials.project_id : undefined)
  return project === undefined || project === ""
    ? Effect.fail(
        ConfigError.MissingData(
          ["project"],
          "Set GOOGLE_CLOUD_PROJECT to the Google Cloud project with the Discovery Engine API enabled (or use a key file with its project_id)"
        )
      )
    : Effect.succeed({ ...options, project })
}

/**
 * `layerConfig`'s options: every option a `Config`; the project, location and access token from Google's variables
 * unless given.
 *
 * @since 0.2.0
 * @category models
 */
export type ConfigOptions = Config.Config.Wrap<
  Omit<Options, "apiKey" | "baseUrl" | "tokens" | "credentials"> & {
    readonly apiKey?: Redacted.Redacted<string> | undefined
    readonly baseUrl?: string | undefined
  }
>

/**
 * Where `layerConfig` reads an access token and the base URL; the credentials, project and location come from
 * Google's variables (`GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_LOCATION`).
 *
 * @since 0.2.0
 * @category config
 */
export const variables: HttpProvider.Variables = {
  key: ["GOOGLE_OAUTH_ACCESS_TOKEN"],
  keyRequired: false,
  keyName: "a Google OAuth2 access token",
  baseUrl: "VERTEX_BASE_URL"
}

const fromConfig = (options: ConfigOptions): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.gen(function* () {
    const resolved = yield* LayerConfig.resolve<Options>(variables, options as LayerConfig.ConfigOptions<Options>)
    const project =
      resolved.project ?? Option.getOrUndefined(yield* Config.option(Config.nonEmptyString("GOOGLE_CLOUD_PROJECT")))
    const location =
      resolved.location ?? Option.getOrUndefined(yield* Config.option(Config.nonEmptyString("GOOGLE_CLOUD_LOCATION")))
    return { ...resolved, project, location }
  })

/**
 * `make(options)`, `layer(options)`, and `layerConfig(options?)`. Without an access token or a token source, the
 * credentials are found as Google's libraries find them; the project is the option, `GOOGLE_CLOUD_PROJECT` (with
 * `layerConfig`) or the key file's. No project, an unreadable key file or a key that is not a private key fails at
 * construction with a `ConfigError`; a token the endpoint refuses fails the call with an `AuthenticationError`.
 *
 * @since 0.2.0
 * @category constructors
 */
const constructors: HttpProvider.Constructors<Options, ConfigOptions> = HttpProvider.constructors(protocol, variables, {
  fromConfig,
  complete
})

/**
 * @since 0.2.0
 * @category constructors
 */
export const make: HttpProvider.Constructors<Options, ConfigOptions>["make"] = constructors.make

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: HttpProvider.Constructors<Options, ConfigOptions>["layer"] = constructors.layer

/**
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: HttpProvider.Constructors<Options, ConfigOptions>["layerConfig"] = constructors.layerConfig
