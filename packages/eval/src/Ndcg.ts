/**
 * nDCG@k with linear gain and a log2(rank + 1) discount (Jarvelin and Kekalainen 2002, as ranx and trec_eval's
 * `ndcg_cut` compute it), averaged over queries.
 *
 * @since 0.2.0
 */

/**
 * Graded judgments of one query: document id -> relevance (0 = not relevant).
 *
 * @since 0.2.0
 * @category models
 */
export type Judgments = ReadonlyMap<string, number> | Readonly<Record<string, number>>

const gainOf = (judgments: Judgments, id: string): number =>
  (judgments instanceof Map ? judgments.get(id) : (judgments as Record<string, number>)[id]) ?? 0

const gains = (judgments: Judgments): Array<number> =>
  judgments instanceof Map ? [...judgments.values()] : Object.values(judgments)

/**
 * nDCG@k of one ranking (document ids, best first). 0 when the query has no relevant document. A document id that
 * appears twice counts once, at its first position.
 *
 * @since 0.2.0
 * @category metrics
 */
export const ndcgAt = (k: number, ranking: ReadonlyArray<string>, judgments: Judgments): number => {
  const ideal = gains(judgments)
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
  let idcg = 0
  ideal.forEach((gain, i) => {
    idcg += gain / Math.log2(i + 2)
  })
  if (idcg === 0) return 0
  let dcg = 0
  const seen = new Set<string>()
  let position = 0
  for (const id of ranking) {
    if (position >= k) break
    if (seen.has(id)) continue
    seen.add(id)
    dcg += gainOf(judgments, id) / Math.log2(position + 2)
    position++
  }
  return dcg / idcg
}

/**
 * Mean nDCG@k over the queries that have judgments.
 *
 * @since 0.2.0
 * @category metrics
 */
export const meanNdcgAt = (
  k: number,
  rankings: ReadonlyMap<string, ReadonlyArray<string>>,
  qrels: ReadonlyMap<string, Judgments>
): number => {
  let sum = 0
  let count = 0
  for (const [query, judgments] of qrels) {
    sum += ndcgAt(k, rankings.get(query) ?? [], judgments)
    count++
  }
  return count === 0 ? 0 : sum / count
}
