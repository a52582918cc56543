/// A set of positive 32-bit ids as a bitmap: one bit per id up to the largest, so the orphan
/// check on every rating is a load and a mask. (MovieLens movie ids stay below ~300,000;
/// even the largest possible id costs 256 MiB only if a drop really uses it.)
public struct IdSet: Sendable {
    var words: [UInt64]

    /// A set of the given ids (non-positive ids are ignored: they never occur in clean tables).
    public init<S: Sequence>(_ ids: S) where S.Element == Int32 {
        let maxId = ids.reduce(Int32(0)) { max($0, $1) }
        words = [UInt64](repeating: 0, count: Int(maxId) / 64 + 1)
        for id in ids where id > 0 { words[Int(id) >> 6] |= 1 << UInt64(id & 63) }
    }

    /// True when `id` is in the set.
    @inline(__always)
    public func contains(_ id: Int32) -> Bool {
        let w = Int(id) >> 6
        return id > 0 && w < words.count && words[w] & (1 << UInt64(id & 63)) != 0
    }
}
