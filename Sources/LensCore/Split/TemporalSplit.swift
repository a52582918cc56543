import Foundation
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

    /// Sorts the ratings and assigns the split. Consumes `ratings`: its columns are permuted one
    /// at a time, each old column freed as its sorted copy is made (when the caller handed over
    /// the only reference), so the split never holds two copies of the table.
    public static func run(_ ratings: consuming RatingsTable, config: PipelineConfig) -> (SplitRatings, Report) {
        let n = ratings.count
        var perm: [UInt32]
        let userMovie: UserMovieOrder
        (perm, userMovie) = timeOrder(ratings)
        ratings.userId = gather(ratings.userId, perm)
        ratings.movieId = gather(ratings.movieId, perm)
        ratings.rating = gather(ratings.rating, perm)
        ratings.ratedAt = EpochSecondsColumn(base: ratings.ratedAt.base, offsets: gather(ratings.ratedAt.offsets, perm))
        if ratings.sourceLine.count == n { ratings.sourceLine = gather(ratings.sourceLine, perm) }
        let sorted = ratings
        let f = config.splitNumerators
        let s = sizes(n: n, trainNumerator: f.train, testNumerator: f.test, denominator: f.denominator,
                      batches: config.bufferBatches)
        let split = SplitRatings(rows: sorted, trainCount: s.train, testCount: s.test,
                                 batchCount: config.bufferBatches, batchSize: s.batchSize,
                                 userMovieOrder: positions(inSortedOrderOf: userMovie, perm: perm))
        perm = []  // 100 MB at 25M, not needed by the rest
        var batchSizes = [Int](repeating: 0, count: config.bufferBatches)
        for p in 0..<s.buffer { batchSizes[split.batch(ofBufferPosition: p) - 1] += 1 }
        let lastTrain = s.train > 0 ? sorted.ratedAt[s.train - 1] : nil
        let firstAfter = s.train < n ? sorted.ratedAt.offsets[s.train...].min().map { sorted.ratedAt.base + Int64($0) } : nil
        let ok = lastTrain == nil || firstAfter == nil || firstAfter! >= lastTrain!
        return (split, Report(train: s.train, test: s.test, buffer: s.buffer, batchSizes: batchSizes,
                              lastTrainAt: lastTrain, firstAfterTrainAt: firstAfter, noTestOrBufferBeforeLastTrain: ok))
    }

    /// The permutation ordering rows by (rated_at, userId, movieId).
    ///
    /// Rows already in (userId, movieId) order, as GroupLens writes ratings.csv, keep that order
    /// among equal timestamps in a stable sort by time alone (`TimeBucketOrder`, no scratch
    /// columns). Other rows take stable LSD radix passes on 32-bit keys, least significant column
    /// first (movieId, userId, then the time's 32-bit offset), each key column built for the
    /// pass and dropped after it (400 MB of scratch at 25M rows).
    ///
    /// Also returns what the sort learnt of the rows' order by (userId, movieId).
    static func timeOrder(_ r: RatingsTable) -> ([UInt32], UserMovieOrder) {
        let n = r.count
        if n < 2 { return ((0..<UInt32(truncatingIfNeeded: n)).map { $0 }, .input) }
        let span = r.ratedAt.offsetRange ?? 0...0
        if r.isOrderedByUserThenMovie {
            // The common case, and the memory peak of a run: sort by time alone, stably.
            return (r.ratedAt.offsets.withUnsafeBufferPointer { TimeBucketOrder.permutation($0, span: span) }, .input)
        }
        var perm = idSortPermutation(of: r)  // not in that order, as just checked
        let idOrder = perm
        let keys = r.ratedAt.offsets.withUnsafeBufferPointer { t in
            [UInt32](unsafeUninitializedCapacity: n) { buf, count in
                perm.withUnsafeBufferPointer { p in
                    for i in 0..<n { buf[i] = t[Int(p[i])] &- span.lowerBound }
                }
                count = n
            }
        }
        RadixSort.sortCarrying32(keys: keys, perm: &perm)
        return (perm, .permutation(idOrder))
    }

    /// What the split's sort learnt of the input's order by (userId, movieId).
    enum UserMovieOrder {
        /// The input was in that order.
        case input
        /// This permutation of the input puts it in that order.
        case permutation([UInt32])
    }

    /// For each row in (userId, movieId) order, its position after the split's sort `perm`:
    /// the inverse of `perm`, composed with the id sort's permutation when the input was not in
    /// that order.
    static func positions(inSortedOrderOf userMovie: UserMovieOrder, perm: [UInt32]) -> [UInt32] {
        // a scatter, in two halves at once (a permutation's halves write disjoint entries)
        let n = perm.count
        let inverse = [UInt32](unsafeUninitializedCapacity: n) { buf, count in
            perm.withUnsafeBufferPointer { p in
                let out = buf
                inHalves(n) { range in
                    for i in range { out[Int(p[i])] = UInt32(truncatingIfNeeded: i) }
                }
            }
            count = n
        }
        guard case .permutation(var order) = userMovie else { return inverse }
        inverse.withUnsafeBufferPointer { inv in
            order.withUnsafeMutableBufferPointer { o in
                for k in 0..<o.count { o[k] = inv[Int(o[k])] }
            }
        }
        return order
    }

    /// The permutation putting `r` in (userId, movieId) order (two stable radix passes), for
    /// split ratings whose `userMovieOrder` is unknown (read back from a Parquet export).
    public static func userMovieOrder(of r: RatingsTable) -> [UInt32] {
        if r.count < 2 || r.isOrderedByUserThenMovie { return (0..<UInt32(truncatingIfNeeded: r.count)).map { $0 } }
        return idSortPermutation(of: r)
    }

    /// The two stable radix passes (movieId, then userId) behind `userMovieOrder(of:)`.
    static func idSortPermutation(of r: RatingsTable) -> [UInt32] {
        var perm = [UInt32](unsafeUninitializedCapacity: r.count) { buf, count in
            for i in 0..<r.count { buf[i] = UInt32(truncatingIfNeeded: i) }
            count = r.count
        }
        RadixSort.sortCarrying32(keys: r.movieId.map { UInt32(bitPattern: $0) ^ 0x8000_0000 }, perm: &perm)
        RadixSort.sortCarrying32(keys: gather32(r.userId, perm), perm: &perm)
        return perm
    }

    /// Signed ids as order-preserving unsigned keys, in the order of `perm`.
    static func gather32(_ ids: [Int32], _ perm: [UInt32]) -> [UInt32] {
        ids.withUnsafeBufferPointer { v in
            [UInt32](unsafeUninitializedCapacity: perm.count) { buf, count in
                for i in 0..<perm.count { buf[i] = UInt32(bitPattern: v[Int(perm[i])]) ^ 0x8000_0000 }
                count = perm.count
            }
        }
    }

    /// `values` reordered by `perm`, in two halves at once: the random reads are bound by memory
    /// latency, which a second core hides (25M rows: 1.7 s -> about 1 s for the five columns).
    @inline(__always)
    static func gather<T>(_ values: [T], _ perm: [UInt32]) -> [T] {
        let n = perm.count
        return [T](unsafeUninitializedCapacity: n) { buf, count in
            values.withUnsafeBufferPointer { v in
                perm.withUnsafeBufferPointer { p in
                    let out = buf
                    inHalves(n) { range in
                        for i in range { (out.baseAddress! + i).initialize(to: v[Int(p[i])]) }
                    }
                }
            }
            count = n
        }
    }

    /// Calls `body` with the two halves of 0..<n at once on two threads (one call with all of it
    /// for small n), for loops whose iterations write disjoint entries.
    static func inHalves(_ n: Int, _ body: (Range<Int>) -> Void) {
        if n < 1 << 16 { return body(0..<n) }
        forkJoin(2) { half in body(half == 0 ? 0..<n / 2 : n / 2..<n) }
    }
}
