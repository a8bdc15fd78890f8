/**
 * The providers table of docs/providers.md, derived from `@effect-rerank/http`'s `Registry` and the server's routes:
 * `pnpm docs:providers` writes it between the page's markers; `docs/examples/providers-table.test.ts` fails when the
 * page's table is not what the registry says.
 */
import { Registry } from "@effect-rerank/http"
import { ServerProtocols } from "@effect-rerank/server"
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const page = fileURLToPath(new URL("../docs/providers.md", import.meta.url))
// Left as written by Prettier too: the table is the registry's, line for line.
export const start =
  "<!-- prettier-ignore-start -->\n<!-- the providers table: pnpm docs:providers writes it from the Registry -->"
export const end = "<!-- prettier-ignore-end -->"

const code = (text: string) => `\`${text}\``

const row = (entry: Registry.Entry): ReadonlyArray<string> => {
  const { defaults } = entry.protocol
  const environment = Registry.environmentOf(entry)
  const base =
    defaults.baseUrl ?? (entry.environment.region === undefined ? "your server (required)" : "the region's endpoint")
  const billing = entry.protocol.billing
  const billed =
    billing === undefined
      ? "nothing (your own compute)"
      : `${billing.unit}${billing.computed === undefined ? "" : " (computed when not reported)"}${
          billing.prices === undefined ? "" : ", default prices"
        }`
  const route = ServerProtocols.routes.find((r) => r.name === entry.name)
  const limit = `${defaults.maxDocumentsPerRequest.toLocaleString("en-US")}${
    entry.protocol.maxDocumentsFor === undefined ? "" : ", a published limit per model"
  }`
  return [
    code(entry.name),
    `${entry.title} (${code(entry.protocol.system)})`,
    `${code(`POST ${entry.protocol.path({})}`)} at ${base}`,
    Object.entries(environment)
      .map(([option, variable]) => `${option}: ${variable}`)
      .join("; "),
    code(defaults.model),
    limit,
    // What the default model's scores are; some providers' depend on the model or an option (see below).
    entry.protocol.scoreKind?.({}, defaults.model) ?? "unbounded",
    billed,
    route === undefined ? "not served" : route.protocol.paths.map((path) => code(route.prefix + path)).join(", ")
  ]
}

/** The table as markdown. */
export const render = (providers: ReadonlyArray<Registry.Entry> = Registry.providers): string => {
  const header = [
    "`--provider`",
    "provider (`gen_ai.system`)",
    "endpoint",
    "from the environment",
    "default model",
    "documents / request (default)",
    "score kind (default model)",
    "billed in",
    "served at"
  ]
  const lines = [header, header.map(() => "---"), ...providers.map(row)].map((cells) => `| ${cells.join(" | ")} |`)
  return lines.join("\n")
}

/** The page with its table replaced by `table`. */
export const withTable = (text: string, table: string): string => {
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from === -1 || to === -1) throw new Error(`docs/providers.md lacks the table's markers`)
  return `${text.slice(0, from + start.length)}\n\n${table}\n\n${text.slice(to)}`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(page, withTable(readFileSync(page, "utf8"), render()))
  console.log("docs/providers.md: the providers table is the registry's")
}
