/// Per-id sums of the train ratings, the common core of `MovieStats` and `UserStats`:
/// one pass over the rows into flat arrays indexed by slot (see `FeatureSlotMap`), then the
/// ids that were seen, ascending.
struct RatingAggregates {
    /// The ids with at least one rating, ascending.
    var ids: [Int32] = []
    /// Ratings per id.
    var count: [Int32] = []
    /// Sum of the ratings per id, in Double: exact for half stars (every partial sum is a
    /// multiple of 0.5 far below 2^52), so `sum / count` is the correctly rounded mean.
    var sum: [Double] = []
    /// Earliest `rated_at` per id (only when times were asked for).
    var first: [Int64] = []
    /// Latest `rated_at` per id (only when times were asked for).
    var last: [Int64] = []
    /// Sum of all the ratings passed (for the global mean): the sum of `sum` in id order, exact
    /// on the half-star grid as `sum` is.
    var total: Double = 0

    /// Aggregates `ratings` (and `times`, if given) by `ids`; all have the same length.
    /// Throws `.nonPositiveId` when an id is <= 0 and `.nonFiniteRating` when a rating is NaN
    /// or infinite (checked once, on the total, so the loop stays branch-free).
    static func build(
        column: String, ids: UnsafeBufferPointer<Int32>, ratings: UnsafeBufferPointer<Float>,
        times: TrainRows.Times?
    ) throws(FeatureStatsError) -> RatingAggregates {
        guard let r = FeatureIdPlan.range(ids) else { return RatingAggregates() }
        if let bad = r.firstNonPositiveRow {
            throw .nonPositiveId(column: column, id: ids[bad], row: bad)
        }
        var agg: RatingAggregates
        // A slot costs 16-32 bytes: allow a direct id range up to a quarter of the rows (or 2^21).
        switch FeatureIdPlan.plan(ids, min: r.min, max: r.max, directBudget: ids.count / 4) {
        case .direct(let slots): agg = accumulate(ids: ids, ratings: ratings, times: times, slots: slots)
        case .sorted(let slots): agg = accumulate(ids: ids, ratings: ratings, times: times, slots: slots)
        }
        if !agg.total.isFinite, let bad = ratings.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteRating(row: bad, rating: ratings[bad])
        }
        return agg
    }

    /// One slot's running sums when times are tracked: 24 bytes, so a row touches one cache
    /// line (the per-movie arrays of ml-25m exceed L2; four parallel arrays would touch four).
    private struct TimedSlot {
        /// Ratings seen.
        var count: Int32 = 0
        /// Sum of the ratings.
        var sum: Double = 0
        /// Earliest time (offset from the times' base).
        var first: UInt32 = .max
        /// Latest time (offset from the times' base).
        var last: UInt32 = .min
    }

    /// One slot's running sums without times: 16 bytes.
    private struct PlainSlot {
        /// Ratings seen.
        var count: Int32 = 0
        /// Sum of the ratings.
        var sum: Double = 0
    }

    /// The pass itself, specialised per slot map; compacts to the ids seen at the end.
    private static func accumulate<S: FeatureSlotMap>(
        ids: UnsafeBufferPointer<Int32>, ratings: UnsafeBufferPointer<Float>, times: TrainRows.Times?,
        slots: S
    ) -> RatingAggregates {
        let m = slots.slotCount
        var out = RatingAggregates()
        if let times {
            var acc = [TimedSlot](repeating: TimedSlot(), count: m)
            acc.withUnsafeMutableBufferPointer { ap in
                for i in 0..<ids.count {
                    let s = slots.slot(ids[i])
                    let v = Double(ratings[i])
                    let t = times.offsets[i]
                    ap[s].count &+= 1
                    ap[s].sum += v
                    if t < ap[s].first { ap[s].first = t }
                    if t > ap[s].last { ap[s].last = t }
                }
            }
            let seen = acc.reduce(0) { $0 + ($1.count > 0 ? 1 : 0) }
            out.reserve(seen, times: true)
            for s in 0..<m where acc[s].count > 0 {
                out.ids.append(slots.id(ofSlot: s))
                out.count.append(acc[s].count)
                out.sum.append(acc[s].sum)
                out.first.append(times.base + Int64(acc[s].first))
                out.last.append(times.base + Int64(acc[s].last))
            }
        } else {
            var acc = [PlainSlot](repeating: PlainSlot(), count: m)
            acc.withUnsafeMutableBufferPointer { ap in
                for i in 0..<ids.count {
                    let s = slots.slot(ids[i])
                    let v = Double(ratings[i])
                    ap[s].count &+= 1
                    ap[s].sum += v
                }
            }
            let seen = acc.reduce(0) { $0 + ($1.count > 0 ? 1 : 0) }
            out.reserve(seen, times: false)
            for s in 0..<m where acc[s].count > 0 {
                out.ids.append(slots.id(ofSlot: s))
                out.count.append(acc[s].count)
                out.sum.append(acc[s].sum)
            }
        }
        // The total from the per-id sums: exact on the half-star grid like them, and it keeps a
        // serial floating-point chain out of the row loop.
        out.total = out.sum.reduce(0, +)
        return out
    }

    /// Reserves room for `n` ids in every column (the time columns only with `times`).
    private mutating func reserve(_ n: Int, times: Bool) {
        ids.reserveCapacity(n)
        count.reserveCapacity(n)
        sum.reserveCapacity(n)
        if times {
            first.reserveCapacity(n)
            last.reserveCapacity(n)
        }
    }
}

/// The train rows of a split as buffers, after checking the split's shape.
enum TrainRows {
    /// Times as 32-bit offsets from `base` (see `EpochSecondsColumn`).
    struct Times {
        let base: Int64
        let offsets: UnsafeBufferPointer<UInt32>
    }

    /// Calls `body` with the first `trainCount` rows' columns. Throws `.badSplit` when
    /// `trainCount` is outside 0 ... rows or the columns differ in length.
    static func with<R>(
        _ split: SplitRatings,
        _ body: (
            UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Float>,
            Times
        ) throws(FeatureStatsError) -> R
    ) throws(FeatureStatsError) -> R {
        let t = split.rows
        let n = t.userId.count
        guard t.movieId.count == n, t.rating.count == n, t.ratedAt.count == n else {
            throw .badSplit(
                "the ratings columns differ in length (userId \(n), movieId \(t.movieId.count), "
                    + "rating \(t.rating.count), ratedAt \(t.ratedAt.count))")
        }
        guard split.trainCount >= 0, split.trainCount <= n else {
            throw .badSplit("trainCount \(split.trainCount) is outside 0 ... \(n) (the number of rows)")
        }
        let k = split.trainCount
        return try t.userId.withUnsafeBufferPointer { (u) throws(FeatureStatsError) in
            try t.movieId.withUnsafeBufferPointer { (m) throws(FeatureStatsError) in
                try t.rating.withUnsafeBufferPointer { (r) throws(FeatureStatsError) in
                    try t.ratedAt.offsets.withUnsafeBufferPointer { (a) throws(FeatureStatsError) in
                        try body(
                            UnsafeBufferPointer(rebasing: u[0..<k]), UnsafeBufferPointer(rebasing: m[0..<k]),
                            UnsafeBufferPointer(rebasing: r[0..<k]),
                            Times(base: t.ratedAt.base, offsets: UnsafeBufferPointer(rebasing: a[0..<k])))
                    }
                }
            }
        }
    }
}

/// Why the movie or user stats could not be computed. Each message says what to change.
public enum FeatureStatsError: Error, Equatable, CustomStringConvertible {
    /// The split is inconsistent (column lengths, train count); the text says how.
    case badSplit(String)
    /// An id in `column` is zero or negative (0-based train `row`).
    case nonPositiveId(column: String, id: Int32, row: Int)
    /// A rating is NaN or infinite (0-based train `row`).
    case nonFiniteRating(row: Int, rating: Float)

    /// The message shown to the user: what happened and how to fix it.
    public var description: String {
        switch self {
        case .badSplit(let why):
            return "stats: the split is inconsistent: \(why); build it with the split stage (stage 2)"
        case .nonPositiveId(let column, let id, let row):
            return "stats: train row \(row) has \(column) \(id), but ids must be positive; "
                + "stage 1 must quarantine non-positive ids (reason nonpositive_id)"
        case .nonFiniteRating(let row, let rating):
            return "stats: train row \(row) has rating \(rating); stage 1 must reject non-finite ratings"
        }
    }
}
