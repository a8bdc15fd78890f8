/**
 * Bedrock's `Rerank`, the server's half: queries and inline text (or JSON) sources, the model's id from a foundation-model
 * ARN, AWS REST-JSON errors with the exception's name in `x-amzn-ErrorType`.
 */
import { Fields } from "@effect-rerank/core"
import { Bedrock } from "@effect-rerank/http"
import * as Schema from "effect/Schema"
import * as ServerProtocol from "../../ServerProtocol.js"

const encodeResponse = Schema.encodeSync(Bedrock.Response)

/** A foundation model's ARN to its id; any other ARN (provisioned, imported) as it is. */
const modelOfArn = (arn: string) => arn.replace(/^arn:aws:bedrock:[^:]*::foundation-model\//, "")

/** Exception names for the statuses our server sends (any other 4xx or 5xx gets the fallback after the lookup). */
const exceptions: Record<number, string> = {
  400: "ValidationException",
  401: "UnrecognizedClientException",
  402: "AccessDeniedException",
  403: "AccessDeniedException",
  413: "ValidationException",
  429: "ThrottlingException",
  500: "InternalServerException",
  502: "BadGatewayException",
  503: "ServiceUnavailableException",
  504: "InternalServerException"
}

export const bedrock: ServerProtocol.ServerProtocol = {
  paths: ["/rerank"],
  auth: "aws-sigv4",
  decodeRequest: ServerProtocol.callDecoder(Bedrock.Request, (request) => {
    const configuration = request.rerankingConfiguration.bedrockRerankingConfiguration
    return {
      model: modelOfArn(configuration.modelConfiguration.modelArn),
      query: request.queries.map((q) => q.textQuery.text).join("\n"),
      documents: request.sources.map(({ inlineDocumentSource: document }) =>
        document.type === "TEXT"
          ? document.textDocument.text
          : // A JSON document is ranked by its fields, one `name: value` line each.
            Object.entries(document.jsonDocument)
              .map(([name, value]) => `${name}: ${Fields.valueText(value)}`)
              .join("\n")
      ),
      topN: configuration.numberOfResults,
      field: "sources"
    }
  }),
  encodeResponse: ({ results }) =>
    encodeResponse({ results: results.map((r) => ({ index: r.index, relevanceScore: r.score })) }),
  encodeError: (_status, message) => ({ message }),
  errorHeaders: (status) => ({
    "x-amzn-errortype": exceptions[status] ?? (status >= 500 ? "InternalServerException" : "ValidationException")
  })
}
