/// How stage 3 maps a positive 32-bit id (userId, movieId, tagId) to a dense array slot, so that
/// per-id aggregates live in flat arrays indexed by slot instead of a dictionary per row.
///
/// Real MovieLens ids are small and dense (ml-25m: movieId <= 209,171, userId <= 162,541), so
/// the slot is normally `id - minId` (`FeatureDirectSlots`). An id range much larger than the
/// data (say one stray id near 2^31) would make those arrays huge; then the distinct ids are
/// sorted once and a slot is found by binary search (`FeatureSortedSlots`), slower but bounded
/// by the number of distinct ids.
protocol FeatureSlotMap {
    /// Number of slots the per-id arrays need.
    var slotCount: Int { get }
    /// The slot of `id`; `id` must be one of the ids the map was planned from.
    func slot(_ id: Int32) -> Int
    /// The id that owns `slot` (inverse of `slot(_:)`).
    func id(ofSlot slot: Int) -> Int32
}

/// Slot = `id - base`: every id in `base ..< base + slotCount` has a slot, used or not.
struct FeatureDirectSlots: FeatureSlotMap {
    /// The smallest id seen.
    let base: Int32
    /// `maxId - minId + 1`.
    let slotCount: Int
    /// `id - base`.
    @inline(__always) func slot(_ id: Int32) -> Int { Int(id) &- Int(base) }
    /// `base + slot`.
    @inline(__always) func id(ofSlot slot: Int) -> Int32 { Int32(truncatingIfNeeded: Int(base) &+ slot) }
}

/// Slot = position of the id in `ids` (sorted ascending, distinct), by binary search.
struct FeatureSortedSlots: FeatureSlotMap {
    /// The distinct ids, ascending.
    let ids: [Int32]
    /// `ids.count`.
    var slotCount: Int { ids.count }
    /// Binary search; the id must be present (it came from the column the map was built from).
    @inline(__always) func slot(_ id: Int32) -> Int {
        ids.withUnsafeBufferPointer { p in
            var lo = 0
            var hi = p.count
            while lo < hi {
                let mid = (lo &+ hi) >> 1
                if p[mid] < id { lo = mid &+ 1 } else { hi = mid }
            }
            return lo
        }
    }
    /// `ids[slot]`.
    @inline(__always) func id(ofSlot slot: Int) -> Int32 { ids[slot] }
}

/// The two ways of slotting a column of ids, chosen by `FeatureIdPlan.plan`.
enum FeatureIdPlan {
    /// Dense range: slot = id - base.
    case direct(FeatureDirectSlots)
    /// Sparse range: sorted distinct ids.
    case sorted(FeatureSortedSlots)

    /// The smallest and largest value of `ids` and the row of the first value <= 0, in one pass.
    /// Returns nil for an empty column.
    static func range(_ ids: UnsafeBufferPointer<Int32>) -> (min: Int32, max: Int32, firstNonPositiveRow: Int?)? {
        guard !ids.isEmpty else { return nil }
        var lo = Int32.max
        var hi = Int32.min
        for v in ids {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        var bad: Int? = nil
        if lo <= 0 { bad = ids.firstIndex(where: { $0 <= 0 }) }
        return (lo, hi, bad)
    }

    /// Plans the slots of a non-empty column whose ids span `min...max`: direct when the range
    /// is at most `max(2^21, directBudget)` slots (a few MB per aggregate array at most),
    /// otherwise the sorted distinct ids (one sort of a copy of the column).
    static func plan(_ ids: UnsafeBufferPointer<Int32>, min: Int32, max: Int32, directBudget: Int) -> FeatureIdPlan {
        let span = Int(max) - Int(min) + 1
        if span <= Swift.max(1 << 21, directBudget) {
            return .direct(FeatureDirectSlots(base: min, slotCount: span))
        }
        // Collapse runs first: input sorted or grouped by id (genome scores, user-ordered
        // ratings) then sorts only one entry per run.
        var heads: [Int32] = []
        var last: Int32 = 0
        for v in ids where heads.isEmpty || v != last {
            heads.append(v)
            last = v
        }
        heads.sort()
        var distinct: [Int32] = []
        distinct.reserveCapacity(heads.count)
        for v in heads where distinct.last != v { distinct.append(v) }
        return .sorted(FeatureSortedSlots(ids: distinct))
    }
}
