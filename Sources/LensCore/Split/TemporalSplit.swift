/// PIPELINE.md stage 2: order all clean ratings by (rated_at, userId, movieId); the first
/// floor(train n) rows are `train`, the next floor(test n) `test`, the rest `buffer`, cut in
/// the same order into `batches` batches of floor(buffer / batches) (the last takes the rest).
public enum TemporalSplit {
    /// What the split checked and recorded.
    public struct Report: Codable, Sendable, Equatable {
        public var train: Int
        public var test: Int
        public var buffer: Int
        public var batchSizes: [Int]
        /// Last train time and first time after train (epoch seconds), nil when empty.
        public var lastTrainAt: Int64?
        public var firstAfterTrainAt: Int64?
        /// The contract's check: no test or buffer row is earlier than the last train row.
        public var noTestOrBufferBeforeLastTrain: Bool
        enum CodingKeys: String, CodingKey {
            case train, test, buffer, batchSizes = "batch_sizes", lastTrainAt = "last_train_at"
            case firstAfterTrainAt = "first_after_train_at", noTestOrBufferBeforeLastTrain = "no_test_or_buffer_before_last_train"
        }
    }

    /// Split sizes for `n` rows: (train, test, buffer, batch size). Fractions are exact
    /// rationals `numerator / denominator` so that floor(0.7 n) has no float rounding.
    public static func sizes(n: Int, trainNumerator: Int, testNumerator: Int, denominator: Int, batches: Int)
        -> (train: Int, test: Int, buffer: Int, batchSize: Int)
    {
        let train = n * trainNumerator / denominator
        let test = n * testNumerator / denominator
        let buffer = n - train - test
        return (train, test, buffer, max(buffer / batches, 1))
    }

    /// Sorts the ratings and assigns the split. Consumes `ratings` (the columns are permuted).
    public static func run(_ ratings: RatingsTable, config: PipelineConfig) -> (SplitRatings, Report) {
        let n = ratings.count
        let minTs = ratings.ratedAt.min() ?? 0
        // (rated_at, userId) packed in 64 bits, movieId as the tie-breaker: both radix-sorted.
        let primary = [UInt64](unsafeUninitializedCapacity: n) { buf, count in
            ratings.ratedAt.withUnsafeBufferPointer { t in
                ratings.userId.withUnsafeBufferPointer { u in
                    for i in 0..<n { buf[i] = UInt64(t[i] - minTs) << 32 | UInt64(UInt32(bitPattern: u[i])) }
                }
            }
            count = n
        }
        let secondary = ratings.movieId.map { UInt32(bitPattern: $0) }
        let perm = RadixSort.permutation(primary: primary, secondary: secondary)
        var sorted = RatingsTable()
        sorted.userId = gather(ratings.userId, perm)
        sorted.movieId = gather(ratings.movieId, perm)
        sorted.rating = gather(ratings.rating, perm)
        sorted.ratedAt = gather(ratings.ratedAt, perm)
        if ratings.sourceLine.count == n { sorted.sourceLine = gather(ratings.sourceLine, perm) }
        let f = config.splitNumerators
        let s = sizes(n: n, trainNumerator: f.train, testNumerator: f.test, denominator: f.denominator,
                      batches: config.bufferBatches)
        let split = SplitRatings(rows: sorted, trainCount: s.train, testCount: s.test,
                                 batchCount: config.bufferBatches, batchSize: s.batchSize)
        var batchSizes = [Int](repeating: 0, count: config.bufferBatches)
        for p in 0..<s.buffer { batchSizes[split.batch(ofBufferPosition: p) - 1] += 1 }
        let lastTrain = s.train > 0 ? sorted.ratedAt[s.train - 1] : nil
        let firstAfter = s.train < n ? sorted.ratedAt[s.train...].min() : nil
        let ok = lastTrain == nil || firstAfter == nil || firstAfter! >= lastTrain!
        return (split, Report(train: s.train, test: s.test, buffer: s.buffer, batchSizes: batchSizes,
                              lastTrainAt: lastTrain, firstAfterTrainAt: firstAfter, noTestOrBufferBeforeLastTrain: ok))
    }

    /// `values` reordered by `perm`.
    @inline(__always)
    static func gather<T>(_ values: [T], _ perm: [UInt32]) -> [T] {
        [T](unsafeUninitializedCapacity: perm.count) { buf, count in
            values.withUnsafeBufferPointer { v in
                for i in 0..<perm.count { (buf.baseAddress! + i).initialize(to: v[Int(perm[i])]) }
            }
            count = perm.count
        }
    }
}
