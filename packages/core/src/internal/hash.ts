/**
 * The project's one hash (SHA-256): the score cache's keys and the fingerprints of secrets in identities. Neither a
 * text nor a key is ever stored or sent where a hash of it will do. `@noble/hashes`' SHA-256 (audited, pure
 * JavaScript, synchronous), so that it runs the same on every JavaScript runtime, not only where `node:crypto` is.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { utf8ToBytes } from "@noble/hashes/utils.js"

/** base64url without padding, as `digest("base64url")` wrote it: keys stay the same as before. */
const base64url = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const separator = utf8ToBytes("\u0000")

/** A short, stable name for a secret (an API key): the same key gives the same name, the name gives nothing back. */
export const fingerprint = (secret: string): string => base64url(sha256(utf8ToBytes(secret))).slice(0, 16)

/** One key per text under a shared prefix: the prefix is hashed once, then its state copied for each text. */
export const keysUnder = (prefix: string, texts: ReadonlyArray<string>): Array<string> => {
  const shared = sha256.create().update(utf8ToBytes(prefix))
  return texts.map((text) => base64url(shared.clone().update(separator).update(utf8ToBytes(text)).digest()))
}
