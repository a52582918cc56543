/// Per-user stats of PIPELINE.md stage 3, from the `train` rows only, as columns sorted by
/// userId (one entry per user with at least one train rating).
///
/// `nRatingsWinsorized` is the count capped at the 0.99 quantile (numpy "linear") of the
/// per-user counts: min(n, q99), a Double because the quantile usually falls between counts.
public struct UserStats: Sendable, Equatable {
    /// PIPELINE.md's quantile of the per-user counts used as the cap.
    public static let defaultWinsorQuantile = 0.99

    /// User ids, ascending.
    public var userId: [Int32]
    /// Train ratings of the user.
    public var nRatings: [Int32]
    /// Mean train rating (sum in Double, exact on the half-star grid, / count).
    public var meanRating: [Double]
    /// min(nRatings, winsorCap).
    public var nRatingsWinsorized: [Double]
    /// The `winsorQuantile` quantile of `nRatings` (NaN when train is empty).
    public var winsorCap: Double

    /// Number of users (rows).
    public var count: Int { userId.count }

    /// Aggregates the first `split.trainCount` rows of `split.rows`.
    /// - Parameter winsorQuantile: the quantile of the per-user counts used as the cap (0.99).
    /// - Throws: `FeatureStatsError` when the split is inconsistent, a userId is not positive
    ///   or a rating is not finite.
    public init(split: SplitRatings, winsorQuantile: Double = UserStats.defaultWinsorQuantile) throws(FeatureStatsError)
    {
        let agg = try TrainRows.with(split) { (users, _, ratings, _) throws(FeatureStatsError) in
            try RatingAggregates.build(column: "userId", ids: users, ratings: ratings, times: nil)
        }
        self.init(agg, winsorQuantile: winsorQuantile)
    }

    /// Finishes the stats from the per-user sums.
    init(_ agg: RatingAggregates, winsorQuantile: Double) {
        let n = agg.ids.count
        var mean = [Double](repeating: 0, count: n)
        var counts = [Double](repeating: 0, count: n)
        for i in 0..<n {
            counts[i] = Double(agg.count[i])
            mean[i] = agg.sum[i] / counts[i]
        }
        let cap = quantileLinear(counts.sorted(), winsorQuantile)
        self.userId = agg.ids
        self.nRatings = agg.count
        self.meanRating = mean
        self.nRatingsWinsorized = counts.map { $0 > cap ? cap : $0 }
        self.winsorCap = cap
    }
}
