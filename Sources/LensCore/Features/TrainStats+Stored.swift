/// `MovieStats` and `UserStats` rebuilt from stored values (the `movie_stats` and `user_stats`
/// datasets of a Parquet export), for `lens load DIR`: nothing is recomputed here.
extension MovieStats {
    public init(movieId: [Int32], nRatings: [Int32], meanRating: [Double], firstRatedAt: [Int64], lastRatedAt: [Int64],
                weightedRating: [Double], globalMeanRating: Double, countThreshold: Double) {
        self.movieId = movieId
        self.nRatings = nRatings
        self.meanRating = meanRating
        self.firstRatedAt = firstRatedAt
        self.lastRatedAt = lastRatedAt
        self.weightedRating = weightedRating
        self.globalMeanRating = globalMeanRating
        self.countThreshold = countThreshold
    }
}

extension UserStats {
    public init(userId: [Int32], nRatings: [Int32], meanRating: [Double], nRatingsWinsorized: [Double], winsorCap: Double) {
        self.userId = userId
        self.nRatings = nRatings
        self.meanRating = meanRating
        self.nRatingsWinsorized = nRatingsWinsorized
        self.winsorCap = winsorCap
    }
}
