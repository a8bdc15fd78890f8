/** The CLI's version, read from its package.json (the one source), the same from src/ and from dist/. */
import { createRequire } from "node:module"

export const version: string = (createRequire(import.meta.url)("../../package.json") as { version: string }).version
