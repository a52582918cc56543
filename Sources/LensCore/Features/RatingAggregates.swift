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
    /// Sum of all the ratings passed (for the global mean), exact as `sum`.
    var total: Double = 0

    /// Aggregates `ratings` (and `times`, if given) by `ids`; all have the same length.
    /// Throws `.nonPositiveId` when an id is <= 0 and `.nonFiniteRating` when a rating is NaN
    /// or infinite (checked once, on the total, so the loop stays branch-free).
    static func build(
        column: String, ids: UnsafeBufferPointer<Int32>, ratings: UnsafeBufferPointer<Float>,
        times: UnsafeBufferPointer<Int64>?
    ) throws(FeatureStatsError) -> RatingAggregates {
        guard let r = FeatureIdPlan.range(ids) else { return RatingAggregates() }
        if let bad = r.firstNonPositiveRow {
            throw .nonPositiveId(column: column, id: ids[bad], row: bad)
        }
        var agg: RatingAggregates
        // Aggregate arrays cost 28 bytes a slot: allow a direct range up to a quarter of the rows.
        switch FeatureIdPlan.plan(ids, min: r.min, max: r.max, directBudget: ids.count / 4) {
        case .direct(let slots): agg = accumulate(ids: ids, ratings: ratings, times: times, slots: slots)
        case .sorted(let slots): agg = accumulate(ids: ids, ratings: ratings, times: times, slots: slots)
        }
        if !agg.total.isFinite, let bad = ratings.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteRating(row: bad, rating: ratings[bad])
        }
        return agg
    }

    /// The pass itself, specialised per slot map; compacts to the ids seen at the end.
    @inline(__always)
    private static func accumulate<S: FeatureSlotMap>(
        ids: UnsafeBufferPointer<Int32>, ratings: UnsafeBufferPointer<Float>, times: UnsafeBufferPointer<Int64>?,
        slots: S
    ) -> RatingAggregates {
        let m = slots.slotCount
        var count = [Int32](repeating: 0, count: m)
        var sum = [Double](repeating: 0, count: m)
        var first = [Int64](repeating: times == nil ? 0 : .max, count: times == nil ? 0 : m)
        var last = [Int64](repeating: times == nil ? 0 : .min, count: times == nil ? 0 : m)
        var total = 0.0
        count.withUnsafeMutableBufferPointer { cp in
            sum.withUnsafeMutableBufferPointer { sp in
                if let times {
                    first.withUnsafeMutableBufferPointer { fp in
                        last.withUnsafeMutableBufferPointer { lp in
                            for i in 0 ..< ids.count {
                                let s = slots.slot(ids[i])
                                let v = Double(ratings[i])
                                let t = times[i]
                                cp[s] &+= 1
                                sp[s] += v
                                total += v
                                if t < fp[s] { fp[s] = t }
                                if t > lp[s] { lp[s] = t }
                            }
                        }
                    }
                } else {
                    for i in 0 ..< ids.count {
                        let s = slots.slot(ids[i])
                        let v = Double(ratings[i])
                        cp[s] &+= 1
                        sp[s] += v
                        total += v
                    }
                }
            }
        }
        // Compact: keep the slots that were seen, in slot (= id) order.
        var out = RatingAggregates()
        out.total = total
        var seen = 0
        for s in 0 ..< m where count[s] > 0 { seen += 1 }
        out.ids.reserveCapacity(seen)
        out.count.reserveCapacity(seen)
        out.sum.reserveCapacity(seen)
        if times != nil {
            out.first.reserveCapacity(seen)
            out.last.reserveCapacity(seen)
        }
        for s in 0 ..< m where count[s] > 0 {
            out.ids.append(slots.id(ofSlot: s))
            out.count.append(count[s])
            out.sum.append(sum[s])
            if times != nil {
                out.first.append(first[s])
                out.last.append(last[s])
            }
        }
        return out
    }
}

/// The train rows of a split as buffers, after checking the split's shape.
enum TrainRows {
    /// Calls `body` with the first `trainCount` rows' columns. Throws `.badSplit` when
    /// `trainCount` is outside 0 ... rows or the columns differ in length.
    static func with<R>(
        _ split: SplitRatings,
        _ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Float>,
            UnsafeBufferPointer<Int64>) throws(FeatureStatsError) -> R
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
        // withUnsafeBufferPointer does not take typed-throwing closures: carry the error out.
        var failure: FeatureStatsError? = nil
        let result: R? = t.userId.withUnsafeBufferPointer { u in
            t.movieId.withUnsafeBufferPointer { m in
                t.rating.withUnsafeBufferPointer { r in
                    t.ratedAt.withUnsafeBufferPointer { a in
                        do throws(FeatureStatsError) {
                            return try body(
                                UnsafeBufferPointer(rebasing: u[0 ..< k]), UnsafeBufferPointer(rebasing: m[0 ..< k]),
                                UnsafeBufferPointer(rebasing: r[0 ..< k]), UnsafeBufferPointer(rebasing: a[0 ..< k]))
                        } catch {
                            failure = error
                            return nil
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return result!
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
        case let .nonPositiveId(column, id, row):
            return "stats: train row \(row) has \(column) \(id), but ids must be positive; "
                + "stage 1 must quarantine non-positive ids (reason nonpositive_id)"
        case let .nonFiniteRating(row, rating):
            return "stats: train row \(row) has rating \(rating); stage 1 must reject non-finite ratings"
        }
    }
}
