/// The cleaned tables, column by column. Stage boundaries pass these values; nothing here
/// holds a row object per rating, so 25M ratings stay a few hundred MB.

/// Cleaned `ratings`: one entry per kept (userId, movieId), in the order the stage left them.
public struct RatingsTable: Sendable {
    public var userId: [Int32] = []
    public var movieId: [Int32] = []
    /// Capped to [0.5, 5.0] on the half-star grid.
    public var rating: [Float] = []
    /// Epoch seconds (UTC), capped to [1995-01-01, drop date + 1 day], as 32-bit offsets.
    public var ratedAt = EpochSecondsColumn()
    /// Physical line of the row in ratings.csv (header = 1), for lineage; empty when unknown.
    public var sourceLine: [Int32] = []
    public init() {}
    public var count: Int { userId.count }

    /// True when rows are ordered by (userId, movieId), ties allowed (GroupLens writes
    /// ratings.csv so: dedup and the split take their fast paths then).
    public var isOrderedByUserThenMovie: Bool { isOrderedByUserThenMovie(in: 0..<count) }

    /// True when the rows in `range` are ordered by (userId, movieId), ties allowed (the runs of
    /// a ratings Parquet file, `RatingsFileOrder`).
    public func isOrderedByUserThenMovie(in range: Range<Int>) -> Bool {
        userId.withUnsafeBufferPointer { u in
            movieId.withUnsafeBufferPointer { m in
                for i in range.dropFirst() where u[i] < u[i - 1] || (u[i] == u[i - 1] && m[i] < m[i - 1]) {
                    return false
                }
                return true
            }
        }
    }
}

/// The temporal split of the ratings (PIPELINE.md stage 2): rows sorted by
/// (rated_at, userId, movieId); `train` = first `trainCount`, `test` the next `testCount`,
/// then `buffer`, cut into `batchCount` batches of `batchSize` (the last takes the remainder).
public struct SplitRatings: Sendable {
    public var rows: RatingsTable
    public var trainCount: Int
    public var testCount: Int
    public var batchCount: Int
    public var batchSize: Int
    /// The positions of `rows` in (userId, movieId) order, when the split knows it (it is the
    /// inverse of the split's sort when the cleaned ratings were in that order, as GroupLens
    /// writes them): the warehouse COPYs the ratings in this order, so that the primary key's
    /// index build finds its input already sorted. Nil when unknown (the loader then sorts).
    public var userMovieOrder: [UInt32]?
    public init(rows: RatingsTable, trainCount: Int, testCount: Int, batchCount: Int, batchSize: Int,
                userMovieOrder: [UInt32]? = nil) {
        self.rows = rows
        self.trainCount = trainCount
        self.testCount = testCount
        self.batchCount = batchCount
        self.batchSize = batchSize
        self.userMovieOrder = userMovieOrder
    }
    public var bufferCount: Int { rows.count - trainCount - testCount }
    /// Batch number (1...batchCount) of buffer position `p` (0-based within the buffer).
    public func batch(ofBufferPosition p: Int) -> Int { min(p / max(batchSize, 1) + 1, batchCount) }
}
