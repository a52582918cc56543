/// The order of the rows inside each ratings Parquet file: (user_id, movie_id) within `train`
/// and `test`, (batch, user_id, movie_id) within `buffer`.
///
/// Why not the split's time order: measured on the 1M and 25m synthetic drops (docs/pipeline.md,
/// Stage 4; docs/performance.md, "Session 6"), this order makes `user_id` and `source_line`
/// nearly free under DELTA_BINARY_PACKED (GroupLens writes ratings.csv in (user, movie) order, so
/// line numbers climb by one) while `rated_at` grows less than they shrink: the train file is a
/// quarter smaller. The split is still a time split: each file holds one time range, and the
/// buffer's batches stay contiguous, so a reader that filters a batch skips the others.
enum RatingsFileOrder {
    /// Calls `body` with the positions in `s.rows` of each row group of the file that holds the
    /// positions `part`, in file order, at most `rowGroupRows` at a time. `userMovieOrder` is
    /// every position of `s.rows` in (user_id, movie_id) order; within the buffer the rows are
    /// grouped by batch first (a stable counting pass, so (user, movie) order holds inside each).
    static func forEachRowGroup(of part: Range<Int>, in s: SplitRatings, userMovieOrder: [UInt32],
                                rowGroupRows: Int, _ body: ([UInt32]) throws -> Void) throws {
        let step = max(rowGroupRows, 1)
        let bufferStart = s.trainCount + s.testCount
        let lower = UInt32(truncatingIfNeeded: part.lowerBound), upper = UInt32(truncatingIfNeeded: part.upperBound)
        if part.lowerBound >= bufferStart && s.batchCount > 1 {
            // The buffer: 10% of the ratings, collected whole and grouped by batch.
            var byBatch = [[UInt32]](repeating: [], count: s.batchCount)
            for p in userMovieOrder where p >= lower && p < upper {
                byBatch[s.batch(ofBufferPosition: Int(p) - bufferStart) - 1].append(p)
            }
            let all = byBatch.flatMap { $0 }
            for start in stride(from: 0, to: all.count, by: step) {
                try body(Array(all[start..<min(start + step, all.count)]))
            }
            return
        }
        // Train and test: one pass over the order, a row group's positions at a time.
        var group: [UInt32] = []
        group.reserveCapacity(min(step, part.count))
        for p in userMovieOrder where p >= lower && p < upper {
            group.append(p)
            if group.count == step {
                try body(group)
                group.removeAll(keepingCapacity: true)
            }
        }
        if !group.isEmpty { try body(group) }
    }

    /// The columns of the rows at `positions` of `r`, in that order, as the ratings files hold
    /// them (times in microseconds; line numbers 0 when `hasLines` is false). One fused loop
    /// without bounds checks: the reads are random (a (user, movie) run is scattered over the
    /// split's time order), and issuing the five of a row together lets the core overlap their
    /// cache misses.
    static func gather(_ r: RatingsTable, _ positions: [UInt32], hasLines: Bool)
        -> (userId: [Int32], movieId: [Int32], rating: [Float], ratedAtMicros: [Int64], sourceLine: [Int32]) {
        let n = positions.count
        var userId = [Int32](repeating: 0, count: n), movieId = [Int32](repeating: 0, count: n)
        var rating = [Float](repeating: 0, count: n), micros = [Int64](repeating: 0, count: n)
        var lines = [Int32](repeating: 0, count: n)
        let base = r.ratedAt.base
        positions.withUnsafeBufferPointer { p in
            r.userId.withUnsafeBufferPointer { u in
            r.movieId.withUnsafeBufferPointer { m in
            r.rating.withUnsafeBufferPointer { v in
            r.ratedAt.offsets.withUnsafeBufferPointer { t in
            r.sourceLine.withUnsafeBufferPointer { l in
            userId.withUnsafeMutableBufferPointer { ou in
            movieId.withUnsafeMutableBufferPointer { om in
            rating.withUnsafeMutableBufferPointer { ov in
            micros.withUnsafeMutableBufferPointer { ot in
            lines.withUnsafeMutableBufferPointer { ol in
                for k in 0..<n {
                    let i = Int(p[k])
                    ou[k] = u[i]
                    om[k] = m[i]
                    ov[k] = v[i]
                    ot[k] = (base + Int64(t[i])) &* 1_000_000
                    if hasLines { ol[k] = l[i] }
                }
            }}}}}}}}}}}
        return (userId, movieId, rating, micros, lines)
    }
}
