/**
 * Route paths with named segments, as REST references write them (`/v1/projects/{project}/locations/{location}/
 * rankingConfigs/{rankingConfig}:rank`, Vertex AI's), for the router and for naming a request's route in logs and
 * metrics (the template, never the path with a caller's project in it).
 */

/** Whether a path has named segments. */
export const isTemplate = (path: string): boolean => path.includes("{")

/**
 * The template in the router's syntax: a literal colon doubled, each `{name}` a parameter matching within one
 * segment (a regex parameter, since a literal may follow it in the same segment, as `:rank` does).
 */
export const toRouterPath = (template: string): string =>
  template.replaceAll(":", "::").replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (_, name: string) => `:${name}([^/]+?)`)

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** A matcher for templates: the template a path fits, if any; static paths are looked up as they are. */
export const matcher = (paths: ReadonlyArray<string>): ((path: string) => string | undefined) => {
  const exact = new Set(paths.filter((path) => !isTemplate(path)))
  const patterns = paths.filter(isTemplate).map((template) => ({
    template,
    pattern: new RegExp(
      "^" +
        template
          .split(/\{[A-Za-z][A-Za-z0-9]*\}/)
          .map(escape)
          .join("[^/]+") +
        "$"
    )
  }))
  return (path) => (exact.has(path) ? path : patterns.find(({ pattern }) => pattern.test(path))?.template)
}
