/**
 * Where the shared conformance data lives: `EFFECT_RERANK_CONFORMANCE`, else `../shared/conformance` beside the
 * repository.
 *
 * @since 0.1.0
 */
import { fileURLToPath } from "node:url"

/**
 * @since 0.1.0
 * @category constants
 */
export const dir: string =
  process.env.EFFECT_RERANK_CONFORMANCE ?? fileURLToPath(new URL("../../../../shared/conformance/", import.meta.url))
