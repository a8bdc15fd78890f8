/**
 * The project's one hash (SHA-256): the score cache's keys and the fingerprints of secrets in identities. Neither a
 * text nor a key is ever stored or sent where a hash of it will do.
 */
import { createHash } from "node:crypto"

/** A short, stable name for a secret (an API key): the same key gives the same name, the name gives nothing back. */
export const fingerprint = (secret: string): string =>
  createHash("sha256").update(secret).digest("base64url").slice(0, 16)

/** One key per text under a shared prefix: the prefix is hashed once, then its state copied for each text. */
export const keysUnder = (prefix: string, texts: ReadonlyArray<string>): Array<string> => {
  const shared = createHash("sha256").update(prefix)
  return texts.map((text) => shared.copy().update("\u0000").update(text).digest("base64url"))
}
