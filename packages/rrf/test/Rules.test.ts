/**
 * The fusion rules a user relies on beyond the reference numbers: ties broken by best rank then earliest ranking,
 * Condorcet's abstentions and half wins, combmed's median of sorted values, weights of 0, topN at its boundary, and
 * every refused input named with the value that was refused.
 */
import { Fusion } from "@effect-rerank/rrf"
import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"

const key = (s: string) => s
const keys = <A>(fused: Either.Either<ReadonlyArray<Fusion.Fused<A>>, unknown>) =>
  Either.getOrThrow(fused).map((f) => f.key)

describe("ties", () => {
  it("equal fused scores: the better best rank first, then the earlier ranking", () => {
    // All score 1 under combsum: q1 and p are both ranked 1 (q1 in the earlier ranking), q only 2.
    const fused = Either.getOrThrow(Fusion.fuse([["q1", "q"], ["p"]], { key, method: "combsum", score: () => 1 }))
    expect(fused.map((f) => f.key)).toEqual(["q1", "p", "q"])
  })

  it("an item's best rank is its best over all rankings, a later one included", () => {
    // m: 0.5 at rank 2 in ranking 0, 0.5 at rank 1 in ranking 1 (sum 1, best rank 1 in ranking 1);
    // n: 1 at rank 1 in ranking 2. Equal scores and best ranks: m's ranking (1) is earlier than n's (2).
    const scores: Record<string, number> = { x: 5, m: 0.5, n: 1 }
    const fused = Either.getOrThrow(
      Fusion.fuse([["x", "m"], ["m"], ["n"]], { key, method: "combsum", score: (item) => scores[item] })
    )
    expect(fused.map((f) => f.key)).toEqual(["x", "m", "n"])
    expect(fused[1].contributions.map((c) => [c.ranking, c.rank, c.score])).toEqual([
      [0, 2, Option.some(0.5)],
      [1, 1, Option.some(0.5)]
    ])
  })
})

describe("fusing by key alone (no scores): the documented hybrid use", () => {
  it("items in two rankings fuse into one entry, with both contributions and no scores", () => {
    const fused = Either.getOrThrow(
      Fusion.rrf(
        [
          ["d1", "d2", "d3"],
          ["d3", "d1"]
        ],
        { key }
      )
    )
    expect(fused.map((f) => f.key)).toEqual(["d1", "d3", "d2"])
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12)
    expect(fused[0].contributions).toEqual([
      { ranking: 0, rank: 1, score: Option.none() },
      { ranking: 1, rank: 2, score: Option.none() }
    ])
    expect(fused.map((f) => f.rank)).toEqual([1, 2, 3])
  })
})

describe("Condorcet", () => {
  it("a ranking that holds neither item abstains; one item missing from a ranking counts below the other", () => {
    // Ranking 0 places a over b; ranking 1 has only c; ranking 2 has b and c.
    const fused = Either.getOrThrow(Fusion.fuse([["a", "b"], ["c"], ["b", "c"]], { key, method: "condorcet" }))
    // a vs b: ranking 0 votes a, ranking 2 votes b (a missing there), ranking 1 abstains: a tie, half a win each.
    // a vs c: ranking 0 votes a, rankings 1 and 2 vote c: c wins. b vs c: rankings 0 and 2 vote b, ranking 1 c: b.
    // Wins: a 0.5, b 1.5, c 1: b, c, a; scores n - position.
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ["b", 3],
      ["c", 2],
      ["a", 1]
    ])
  })

  it("a pair the rankings split evenly is half a win each, whatever a ranking holding neither would say", () => {
    // x vs y: ranking 0 votes x, ranking 1 votes y, ranking 2 (only z) abstains: a tie. Both beat z two to one.
    // Wins: x 1.5, y 1.5, z 0; x and y tie on wins, and x has its best rank in the earlier ranking.
    const fused = Either.getOrThrow(Fusion.fuse([["x", "y"], ["y", "x"], ["z"]], { key, method: "condorcet" }))
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ["x", 3],
      ["y", 2],
      ["z", 1]
    ])
  })

  it("weights decide the votes", () => {
    const fused = Either.getOrThrow(
      Fusion.fuse(
        [
          ["a", "b"],
          ["b", "a"]
        ],
        { key, method: "condorcet", weights: [1, 2] }
      )
    )
    expect(fused.map((f) => f.key)).toEqual(["b", "a"])
  })
})

describe("score-based methods", () => {
  it("combmed takes the median of the sorted weighted scores", () => {
    const scores: Record<string, Array<number>> = { x: [0.9, 0.1, 0.5], y: [0.4, 0.6, 0.45] }
    const seen: Record<string, number> = {}
    const fused = Either.getOrThrow(
      Fusion.fuse(
        [
          ["x", "y"],
          ["x", "y"],
          ["x", "y"]
        ],
        {
          key,
          method: "combmed",
          score: (item) => scores[item][(seen[item] = (seen[item] ?? -1) + 1)]
        }
      )
    )
    // Medians: x of [0.1, 0.5, 0.9] is 0.5; y of [0.4, 0.45, 0.6] is 0.45. Unsorted, x's middle would be 0.1.
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ["x", 0.5],
      ["y", 0.45]
    ])
  })

  it("a weight of 0 is allowed and silences its ranking", () => {
    const fused = Either.getOrThrow(
      Fusion.fuse([["a"], ["b"]], { key, method: "combsum", score: () => 1, weights: [0, 1] })
    )
    expect(fused.map((f) => [f.key, f.score])).toEqual([
      ["b", 1],
      ["a", 0]
    ])
  })

  it("isScoreBased says which methods need scores", () => {
    expect(Fusion.isScoreBased("rrf")).toBe(false)
    expect(Fusion.isScoreBased("condorcet")).toBe(false)
    expect(Fusion.isScoreBased("combsum")).toBe(true)
    expect(Fusion.isScoreBased("mixed")).toBe(true)
  })
})

describe("topN and refused inputs", () => {
  it("topN 1 keeps the best one", () => {
    expect(keys(Fusion.rrf([["a", "b"], ["b"]], { key, topN: 1 }))).toEqual(["b"])
  })

  it("each refused input is named, with the value refused", () => {
    const refused = (
      options: Partial<Fusion.Options<string>>,
      rankings: ReadonlyArray<ReadonlyArray<string>> = [["a"]]
    ) =>
      Either.getLeft(Fusion.fuse(rankings, { key, ...options })).pipe(Option.map((e) => [e.input, e.reason, e.message]))
    expect(refused({ method: "borda" as "rrf" })).toEqual(
      Option.some([
        "method",
        `unknown method "borda"; expected one of ${Fusion.methods.join(", ")}`,
        `Invalid fusion input method: unknown method "borda"; expected one of ${Fusion.methods.join(", ")}`
      ])
    )
    expect(refused({ k: 0 })).toEqual(Option.some(["k", "must be a finite number > 0, got 0", expect.any(String)]))
    expect(refused({ method: "logn-isr", sigma: -1 })).toEqual(
      Option.some(["sigma", "must be a finite number > 0, got -1", expect.any(String)])
    )
    expect(refused({ weights: [1, 1] })).toEqual(
      Option.some(["weights", "expected one weight per ranking (1), got 2", expect.any(String)])
    )
    expect(refused({ weights: [-1] })).toEqual(
      Option.some(["weights", "every weight must be a finite number >= 0, got [-1]", expect.any(String)])
    )
    expect(refused({ weights: [1, Number.NaN] }, [["a"], ["b"]])).toEqual(
      Option.some(["weights", "every weight must be a finite number >= 0, got [1, NaN]", expect.any(String)])
    )
    expect(refused({ topN: 0 })).toEqual(Option.some(["topN", "must be an integer >= 1, got 0", expect.any(String)]))
    expect(refused({ method: "combsum", score: () => 1, normalize: "l2" as "min-max" })).toEqual(
      Option.some([
        "normalize",
        'unknown normalization "l2"; expected one of none, min-max, max, sum, z-score, rank',
        expect.any(String)
      ])
    )
    expect(refused({ method: "wsum" })).toEqual(
      Option.some(["score", 'method "wsum" fuses scores: pass a `score` function', expect.any(String)])
    )
    expect(refused({ method: "combsum", score: () => Number.NaN })).toEqual(
      Option.some(["rankings[0][0].score", expect.stringMatching(/finite/), expect.any(String)])
    )
    expect(refused({}, [["a", "a"]])).toEqual(
      Option.some(["rankings[0][1]", expect.stringMatching(/^key "a" appears/), expect.any(String)])
    )
  })
})
