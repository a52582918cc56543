/// Per-movie stats of PIPELINE.md stage 3, from the `train` rows only, as columns sorted by
/// movieId (one entry per movie with at least one train rating).
///
/// `weightedRating` is the IMDb-style shrunk mean WR = v/(v+m)·R + m/(v+m)·C, with v the movie's
/// count, R its mean, C the mean of all train ratings and m the 0.90 quantile (numpy "linear")
/// of the per-movie counts; it is evaluated in that order of operations, as the peers do.
public struct MovieStats: Sendable, Equatable {
    /// PIPELINE.md's quantile of the per-movie counts used as m.
    public static let defaultCountQuantile = 0.90

    /// Movie ids, ascending.
    public var movieId: [Int32]
    /// Train ratings of the movie.
    public var nRatings: [Int32]
    /// Mean train rating (sum in Double, exact on the half-star grid, / count).
    public var meanRating: [Double]
    /// Earliest train `rated_at`, epoch seconds (UTC).
    public var firstRatedAt: [Int64]
    /// Latest train `rated_at`, epoch seconds (UTC).
    public var lastRatedAt: [Int64]
    /// WR = v/(v+m)·R + m/(v+m)·C.
    public var weightedRating: [Double]
    /// C: the mean of all train ratings (NaN when train is empty).
    public var globalMeanRating: Double
    /// m: the `countQuantile` quantile of `nRatings` (NaN when train is empty).
    public var countThreshold: Double

    /// Number of movies (rows).
    public var count: Int { movieId.count }

    /// Aggregates the first `split.trainCount` rows of `split.rows`.
    /// - Parameter countQuantile: the quantile of the per-movie counts taken as m (0.90).
    /// - Throws: `FeatureStatsError` when the split is inconsistent, a movieId is not positive
    ///   or a rating is not finite.
    public init(split: SplitRatings, countQuantile: Double = MovieStats.defaultCountQuantile) throws(FeatureStatsError)
    {
        let agg = try TrainRows.with(split) { (_, movies, ratings, times) throws(FeatureStatsError) in
            try RatingAggregates.build(column: "movieId", ids: movies, ratings: ratings, times: times)
        }
        self.init(agg, trainCount: split.trainCount, countQuantile: countQuantile)
    }

    /// Finishes the stats from the per-movie sums.
    init(_ agg: RatingAggregates, trainCount: Int, countQuantile: Double) {
        let n = agg.ids.count
        var mean = [Double](repeating: 0, count: n)
        var counts = [Double](repeating: 0, count: n)
        for i in 0..<n {
            counts[i] = Double(agg.count[i])
            mean[i] = agg.sum[i] / counts[i]
        }
        let c = trainCount == 0 ? Double.nan : agg.total / Double(trainCount)
        let m = quantileLinear(counts.sorted(), countQuantile)
        var wr = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let v = counts[i]
            wr[i] = v / (v + m) * mean[i] + m / (v + m) * c
        }
        self.movieId = agg.ids
        self.nRatings = agg.count
        self.meanRating = mean
        self.firstRatedAt = agg.first
        self.lastRatedAt = agg.last
        self.weightedRating = wr
        self.globalMeanRating = c
        self.countThreshold = m
    }
}
