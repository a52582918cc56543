import Foundation

/// Both stats tables of stage 3, computed side by side: the movie pass and the user pass each
/// read the train rows once, on their own thread (the machine has 2 cores).
public enum TrainStats {
    /// `MovieStats(split:countQuantile:)` and `UserStats(split:winsorQuantile:)`, in parallel.
    /// - Throws: the first `FeatureStatsError` of either (the movie one when both fail).
    public static func compute(
        _ split: SplitRatings, countQuantile: Double = MovieStats.defaultCountQuantile,
        winsorQuantile: Double = UserStats.defaultWinsorQuantile
    ) throws(FeatureStatsError) -> (movies: MovieStats, users: UserStats) {
        // Each iteration writes only its own slot; concurrentPerform returns after both.
        let box = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 0 {
                box.movies = Result { () throws(FeatureStatsError) in
                    try MovieStats(split: split, countQuantile: countQuantile)
                }
            } else {
                box.users = Result { () throws(FeatureStatsError) in
                    try UserStats(split: split, winsorQuantile: winsorQuantile)
                }
            }
        }
        return (try box.movies!.get(), try box.users!.get())
    }

    /// The two results, each written by one thread before `concurrentPerform` returns.
    // @unchecked Sendable: each field has one writer (its iteration), and the reader waits for
    // `concurrentPerform` to return, which orders the writes before the reads.
    private final class ResultBox: @unchecked Sendable {
        /// Written by iteration 0.
        var movies: Result<MovieStats, FeatureStatsError>?
        /// Written by iteration 1.
        var users: Result<UserStats, FeatureStatsError>?
    }
}
