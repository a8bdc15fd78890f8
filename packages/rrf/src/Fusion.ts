/**
 * Rank fusion: combine several rankings of overlapping items (BM25 and vector search, several query rewrites,
 * several rerankers) into one. Reciprocal Rank Fusion is the default; the score-based CombSUM family, the ISR
 * family, BordaFuse and Condorcet are there for comparison, with numbers matching ranx (AmenRa/ranx v0.3.20).
 *
 * A ranking is an array of the caller's items, best first: the item at position `i` has rank `i + 1`. Items are
 * matched across rankings by `key`. Every method runs in time linear in the number of entries, except Condorcet,
 * which compares every pair of items (quadratic; meant for short lists).
 *
 * Ties in the fused score are broken deterministically: the item with the better (lower) best rank comes first,
 * then the one whose best rank is in the earlier ranking.
 *
 * @since 0.1.1
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { FusionError } from "./FusionError.js"
import { type Normalization, normalize, normalizations } from "./Normalization.js"

/**
 * @since 0.1.1
 * @category models
 */
export type Key = string | number

/**
 * - Rank-based (no scores needed): `"rrf"` Σ w/(k + rank); `"isr"` count · Σ w/rank²; `"log-isr"`
 *   ln(count) · Σ w/rank²; `"logn-isr"` ln(count + sigma) · Σ w/rank²; `"bordafuse"` weighted Borda points;
 *   `"condorcet"` weighted pairwise majority (Copeland), scored n - position.
 * - Score-based (need `score`): `"combsum"` / `"wsum"` Σ w·s; `"combmnz"` count · Σ w·s; `"combmax"` max w·s;
 *   `"combmin"` min w·s; `"combmed"` median of w·s; `"combanz"` Σ w·s / count; `"wmnz"` Σ s · Σ w (ranx's
 *   weighted MNZ); `"mixed"` Σ w·s · √count.
 *
 * `count` is the number of rankings that contain the item; `w` is the ranking's weight (default 1).
 *
 * @since 0.1.1
 * @category models
 */
export type Method =
  | "rrf"
  | "isr"
  | "log-isr"
  | "logn-isr"
  | "bordafuse"
  | "condorcet"
  | "combsum"
  | "wsum"
  | "combmnz"
  | "combmax"
  | "combmin"
  | "combmed"
  | "combanz"
  | "wmnz"
  | "mixed"

/**
 * Every method name, for validating user input (CLI flags, config).
 *
 * @since 0.1.1
 * @category constants
 */
export const methods: ReadonlyArray<Method> = [
  "rrf",
  "isr",
  "log-isr",
  "logn-isr",
  "bordafuse",
  "condorcet",
  "combsum",
  "wsum",
  "combmnz",
  "combmax",
  "combmin",
  "combmed",
  "combanz",
  "wmnz",
  "mixed"
]

// Everything from "combsum" on fuses scores; the methods before it need only ranks.
const scoreBased: ReadonlySet<Method> = new Set(methods.slice(methods.indexOf("combsum")))

/**
 * Whether a method fuses raw (or normalized) scores and so needs the `score` option.
 *
 * @since 0.1.1
 * @category predicates
 */
export const isScoreBased = (method: Method): boolean => scoreBased.has(method)

/**
 * The default RRF constant, from Cormack, Clarke and Buettcher (SIGIR 2009).
 *
 * @since 0.1.1
 * @category constants
 */
export const defaultK = 60

/**
 * The default `sigma` of `"logn-isr"`, as in ranx.
 *
 * @since 0.1.1
 * @category constants
 */
export const defaultSigma = 0.01

/**
 * @since 0.1.1
 * @category models
 */
export interface Options<A> {
  /** Identifies an item across rankings. */
  readonly key: (item: A) => Key
  /** The item's score in its ranking; required by score-based methods, reported back by all. */
  readonly score?: ((item: A) => number) | undefined
  /** Default `"rrf"`. */
  readonly method?: Method | undefined
  /** RRF constant, > 0. Default 60. */
  readonly k?: number | undefined
  /** `"logn-isr"` smoothing, > 0. Default 0.01. */
  readonly sigma?: number | undefined
  /** One non-negative weight per ranking. Default: all 1. */
  readonly weights?: ReadonlyArray<number> | undefined
  /** Applied to each ranking's scores before a score-based method. Default `"none"`. */
  readonly normalize?: Normalization | undefined
  /** Keep only the best N fused items. */
  readonly topN?: number | undefined
}

/**
 * Where an item stood in one input ranking.
 *
 * @since 0.1.1
 * @category models
 */
export interface Contribution {
  /** Index of the ranking in the input array. */
  readonly ranking: number
  /** 1-based position in that ranking. */
  readonly rank: number
  /** The raw score there, when `score` was given. */
  readonly score: Option.Option<number>
}

/**
 * One fused item: its fused score and rank, and where it stood in each ranking that contains it (rankings that
 * do not contain it are absent from `contributions`), so a caller can explain the order.
 *
 * @since 0.1.1
 * @category models
 */
export interface Fused<A> {
  readonly key: Key
  /** The item as first seen (earliest ranking). */
  readonly item: A
  readonly score: number
  /** 1-based rank in the fused list. */
  readonly rank: number
  readonly contributions: ReadonlyArray<Contribution>
}

/**
 * One item while fusing, and then in the result. Fusing a million entries is bound by allocation, so an entry keeps
 * its first appearance inline and later ones in one flat array; most items appear in one ranking only and cost a
 * single object (no boxed doubles either, unless scores are given). `contributions` builds the readable view on
 * access.
 */
class Entry<A> implements Fused<A> {
  score = 0
  rank = 0
  count = 1
  bestRank: number
  bestRanking: number
  /** Later appearances as `[ranking, rank, ...]`: small integers, so V8 keeps them unboxed. */
  more: Array<number> | undefined = undefined
  /** Raw and normalized scores of every appearance, `[raw, value, ...]`, only when a `score` function is given. */
  readonly scores: Array<number> | undefined
  constructor(
    readonly key: Key,
    readonly item: A,
    private readonly firstRanking: number,
    private readonly firstRank: number,
    raw: number | undefined,
    value: number
  ) {
    this.bestRank = firstRank
    this.bestRanking = firstRanking
    this.scores = raw === undefined ? undefined : [raw, value]
  }

  add(ranking: number, rank: number, raw: number | undefined, value: number): void {
    if (this.more === undefined) this.more = [ranking, rank]
    else this.more.push(ranking, rank)
    if (raw !== undefined) this.scores!.push(raw, value)
    this.count++
    if (rank < this.bestRank) {
      this.bestRank = rank
      this.bestRanking = ranking
    }
  }

  rankingAt(i: number): number {
    return i === 0 ? this.firstRanking : this.more![(i - 1) * 2]
  }
  rankAt(i: number): number {
    return i === 0 ? this.firstRank : this.more![(i - 1) * 2 + 1]
  }
  /** The normalized score used by score-based methods. */
  valueAt(i: number): number {
    return this.scores![i * 2 + 1]
  }

  get contributions(): ReadonlyArray<Contribution> {
    const result: Array<Contribution> = []
    for (let i = 0; i < this.count; i++) {
      result.push({
        ranking: this.rankingAt(i),
        rank: this.rankAt(i),
        score: this.scores === undefined ? Option.none() : Option.some(this.scores[i * 2])
      })
    }
    return result
  }
}

const fail = (input: string, reason: string) => Either.left(new FusionError({ input, reason }))

const validate = <A>(rankings: ReadonlyArray<ReadonlyArray<A>>, options: Options<A>): FusionError | undefined => {
  const method = options.method ?? "rrf"
  const { k, sigma, topN, weights } = options
  const checks: ReadonlyArray<readonly [failed: boolean, input: string, reason: string]> = [
    [!methods.includes(method), "method", `unknown method "${method}"; expected one of ${methods.join(", ")}`],
    [k !== undefined && !(Number.isFinite(k) && k > 0), "k", `must be a finite number > 0, got ${k}`],
    [
      sigma !== undefined && !(Number.isFinite(sigma) && sigma > 0),
      "sigma",
      `must be a finite number > 0, got ${sigma}`
    ],
    [
      weights !== undefined && weights.length !== rankings.length,
      "weights",
      `expected one weight per ranking (${rankings.length}), got ${weights?.length}`
    ],
    [
      weights !== undefined && weights.some((w) => !(Number.isFinite(w) && w >= 0)),
      "weights",
      `every weight must be a finite number >= 0, got [${weights?.join(", ")}]`
    ],
    [topN !== undefined && !(Number.isInteger(topN) && topN >= 1), "topN", `must be an integer >= 1, got ${topN}`],
    [
      options.normalize !== undefined && !normalizations.includes(options.normalize),
      "normalize",
      `unknown normalization "${options.normalize}"; expected one of ${normalizations.join(", ")}`
    ],
    [
      scoreBased.has(method) && options.score === undefined,
      "score",
      `method "${method}" fuses scores: pass a \`score\` function`
    ]
  ]
  const failed = checks.find(([failed]) => failed)
  return failed === undefined ? undefined : new FusionError({ input: failed[1], reason: failed[2] })
}

/**
 * Fuses rankings into one list, best first. Returns `Left(FusionError)` for inputs with no meaningful answer
 * (see `Options`), a score that is not a finite number, or a key repeated inside one ranking.
 *
 * @example
 * ```ts
 * import { Fusion } from "@effect-rerank/rrf"
 *
 * const bm25 = [{ id: "a", score: 12.1 }, { id: "b", score: 9.3 }]
 * const vector = [{ id: "b", score: 0.91 }, { id: "c", score: 0.85 }]
 * const fused = Fusion.fuse([bm25, vector], { key: (hit) => hit.id })
 * // Right([b (in both), a, c])
 * ```
 *
 * @since 0.1.1
 * @category fusion
 */
export const fuse = <A>(
  rankings: ReadonlyArray<ReadonlyArray<A>>,
  options: Options<A>
): Either.Either<Array<Fused<A>>, FusionError> => {
  const invalid = validate(rankings, options)
  if (invalid !== undefined) return Either.left(invalid)
  const method = options.method ?? "rrf"
  const weights = options.weights ?? rankings.map(() => 1)
  const usesScores = scoreBased.has(method)

  const keyOf = options.key
  const items = new Map<Key, Entry<A>>()
  for (let r = 0; r < rankings.length; r++) {
    const ranking = rankings[r]
    const raw = options.score === undefined ? undefined : new Array<number>(ranking.length)
    if (raw !== undefined) {
      for (let i = 0; i < ranking.length; i++) {
        const s = options.score!(ranking[i])
        if (!Number.isFinite(s)) return fail(`rankings[${r}][${i}].score`, `must be a finite number, got ${s}`)
        raw[i] = s
      }
    }
    const values = usesScores ? normalize(raw!, options.normalize ?? "none") : undefined
    for (let i = 0; i < ranking.length; i++) {
      const item = ranking[i]
      const key = keyOf(item)
      const existing = items.get(key)
      const rawScore = raw === undefined ? undefined : raw[i]
      const value = values === undefined ? Number.NaN : values[i]
      if (existing === undefined) {
        items.set(key, new Entry(key, item, r, i + 1, rawScore, value))
      } else if (existing.rankingAt(existing.count - 1) === r) {
        return fail(`rankings[${r}][${i}]`, `key ${JSON.stringify(key)} appears more than once in this ranking`)
      } else {
        existing.add(r, i + 1, rawScore, value)
      }
    }
  }

  const accumulators = Array.from(items.values())
  if (method === "condorcet") {
    scoreCondorcet(accumulators, weights)
  } else {
    const scoreOf = scorer(method, options, weights, rankings, items.size)
    for (const acc of accumulators) acc.score = scoreOf(acc)
  }
  accumulators.sort(byFusedOrder)
  const kept = options.topN === undefined ? accumulators : accumulators.slice(0, options.topN)
  kept.forEach((entry, i) => {
    entry.rank = i + 1
  })
  return Either.right(kept)
}

/**
 * Reciprocal Rank Fusion: Σ weight / (k + rank). A shorthand for `fuse(rankings, { ...options, method: "rrf" })`.
 *
 * @since 0.1.1
 * @category fusion
 */
export const rrf = <A>(
  rankings: ReadonlyArray<ReadonlyArray<A>>,
  options: Omit<Options<A>, "method" | "sigma" | "normalize">
): Either.Either<Array<Fused<A>>, FusionError> => fuse(rankings, { ...options, method: "rrf" })

const byFusedOrder = <A>(a: Entry<A>, b: Entry<A>): number =>
  b.score - a.score || a.bestRank - b.bestRank || a.bestRanking - b.bestRanking

const sumWeighted = (acc: Entry<unknown>, weights: ReadonlyArray<number>): number => {
  let sum = 0
  for (let i = 0; i < acc.count; i++) sum += weights[acc.rankingAt(i)] * acc.valueAt(i)
  return sum
}

const sumInverseSquareRank = (acc: Entry<unknown>, weights: ReadonlyArray<number>): number => {
  let sum = 0
  for (let i = 0; i < acc.count; i++) sum += weights[acc.rankingAt(i)] / acc.rankAt(i) ** 2
  return sum
}

const weightedValues = (acc: Entry<unknown>, weights: ReadonlyArray<number>): Array<number> => {
  const result = new Array<number>(acc.count)
  for (let i = 0; i < acc.count; i++) result[i] = weights[acc.rankingAt(i)] * acc.valueAt(i)
  return result
}

const median = (values: Array<number>): number => {
  const sorted = values.sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const scorer = <A>(
  method: Exclude<Method, "condorcet">,
  options: Options<A>,
  weights: ReadonlyArray<number>,
  rankings: ReadonlyArray<ReadonlyArray<A>>,
  candidates: number
): ((acc: Entry<A>) => number) => {
  switch (method) {
    case "rrf": {
      const k = options.k ?? defaultK
      return (acc) => {
        let sum = 0
        for (let i = 0; i < acc.count; i++) sum += weights[acc.rankingAt(i)] / (k + acc.rankAt(i))
        return sum
      }
    }
    case "isr":
      return (acc) => acc.count * sumInverseSquareRank(acc, weights)
    case "log-isr":
      return (acc) => Math.log(acc.count) * sumInverseSquareRank(acc, weights)
    case "logn-isr": {
      const sigma = options.sigma ?? defaultSigma
      return (acc) => Math.log(acc.count + sigma) * sumInverseSquareRank(acc, weights)
    }
    case "bordafuse": {
      // Each ranking hands out n..1 points over the n candidates of all rankings; the items it did not retrieve
      // share its remaining points equally (Aslam and Montague 2001, as in ranx).
      const unranked = rankings.map((ranking) => (candidates - ranking.length + 1) / 2)
      let unrankedTotal = 0
      for (let r = 0; r < rankings.length; r++) unrankedTotal += weights[r] * unranked[r]
      return (acc) => {
        let points = unrankedTotal
        for (let i = 0; i < acc.count; i++) {
          const r = acc.rankingAt(i)
          points += weights[r] * (candidates - acc.rankAt(i) + 1 - unranked[r])
        }
        return points
      }
    }
    case "combsum":
    case "wsum":
      return (acc) => sumWeighted(acc, weights)
    case "combmnz":
      return (acc) => acc.count * sumWeighted(acc, weights)
    case "combanz":
      return (acc) => sumWeighted(acc, weights) / acc.count
    case "combmax":
      return (acc) => Math.max(...weightedValues(acc, weights))
    case "combmin":
      return (acc) => Math.min(...weightedValues(acc, weights))
    case "combmed":
      return (acc) => median(weightedValues(acc, weights))
    case "wmnz":
      return (acc) => {
        let scores = 0
        let weightSum = 0
        for (let i = 0; i < acc.count; i++) {
          scores += acc.valueAt(i)
          weightSum += weights[acc.rankingAt(i)]
        }
        return scores * weightSum
      }
    case "mixed":
      return (acc) => sumWeighted(acc, weights) * Math.sqrt(acc.count)
  }
}

/**
 * Weighted Condorcet fusion as a Copeland count: item a beats b when the rankings placing a above b (an item a
 * ranking did not retrieve counts as below all it did; rankings holding neither abstain) carry more weight than
 * those placing b above a; a tie is half a win each. Items are ordered by wins and scored n - position, as in ranx.
 */
const scoreCondorcet = <A>(accumulators: Array<Entry<A>>, weights: ReadonlyArray<number>): void => {
  const n = accumulators.length
  const ranks = accumulators.map((acc) => {
    const byRanking = new Map<number, number>()
    for (let i = 0; i < acc.count; i++) byRanking.set(acc.rankingAt(i), acc.rankAt(i))
    return byRanking
  })
  const wins = new Array<number>(n).fill(0)
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let votesA = 0
      let votesB = 0
      for (let r = 0; r < weights.length; r++) {
        const rankA = ranks[a].get(r) ?? Infinity
        const rankB = ranks[b].get(r) ?? Infinity
        if (rankA < rankB) votesA += weights[r]
        else if (rankB < rankA) votesB += weights[r]
      }
      if (votesA > votesB) wins[a] += 1
      else if (votesB > votesA) wins[b] += 1
      else {
        wins[a] += 0.5
        wins[b] += 0.5
      }
    }
  }
  const order = accumulators.map((acc, i) => ({ acc, wins: wins[i] }))
  order.sort((x, y) => y.wins - x.wins || byFusedOrder(x.acc, y.acc))
  order.forEach(({ acc }, position) => {
    acc.score = n - position
  })
}
