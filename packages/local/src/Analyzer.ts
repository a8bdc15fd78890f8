/**
 * Turns text into index terms: Unicode-aware lowercase word splitting, English stopword removal (the `stopword`
 * package's list) and Porter stemming (the `stemmer` package), so "Measurements" and "measured" match.
 *
 * @since 0.2.0
 */
import { stemmer } from "stemmer"
import { eng } from "stopword"

const stopwords: ReadonlySet<string> = new Set(eng)
const word = /[\p{L}\p{N}]+/gu

/**
 * An analyzer with its own stem cache: documents repeat a small vocabulary, so each distinct word is stemmed once.
 * Make one per batch of work; the cache grows with the vocabulary seen.
 *
 * @since 0.2.0
 * @category models
 */
export interface Analyzer {
  /** The terms of `text`, in order, stopwords removed. */
  readonly terms: (text: string) => Array<string>
}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (): Analyzer => {
  const stems = new Map<string, string | null>()
  const termOf = (token: string): string | null => {
    let stem = stems.get(token)
    if (stem === undefined) {
      stem = stopwords.has(token) ? null : stemmer(token)
      stems.set(token, stem)
    }
    return stem
  }
  return {
    terms: (text) => {
      const result: Array<string> = []
      for (const match of text.toLowerCase().matchAll(word)) {
        const term = termOf(match[0])
        if (term !== null) result.push(term)
      }
      return result
    }
  }
}
