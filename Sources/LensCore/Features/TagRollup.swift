/// rollup_tags from the cleaned tags: per tag_normalized, its uses, distinct movies and users,
/// and first and last use. Tags are grouped by their UTF-8 bytes, as PostgreSQL's `group by`
/// compares text (Swift's `==` would merge canonically equivalent spellings that PostgreSQL
/// keeps apart); the distinct counts sort (tag, id) pairs packed in 64 bits.
enum TagRollup {
    static func compute(_ t: TagsTable) -> Rollups.Tags {
        var out = Rollups.Tags()
        let n = t.count
        guard n > 0, t.tagNormalized.count == n, t.movieId.count == n, t.userId.count == n, t.taggedAt.count == n else {
            return out
        }
        // ASCII tags by String (no allocation; equal ASCII strings are equal bytes), the others
        // by their bytes (an ASCII and a non-ASCII tag are never the same bytes)
        var ascii: [String: Int] = [:]
        var index: [[UInt8]: Int] = [:]
        var tagOf = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let tag = t.tagNormalized[i]
            let isASCII = tag.utf8.allSatisfy { $0 < 0x80 }
            let bytes = isASCII ? [] : Array(tag.utf8)
            if let k = isASCII ? ascii[tag] : index[bytes] {
                tagOf[i] = k
                out.nUses[k] += 1
                out.firstTaggedAt[k] = min(out.firstTaggedAt[k], t.taggedAt[i])
                out.lastTaggedAt[k] = max(out.lastTaggedAt[k], t.taggedAt[i])
            } else {
                let k = out.tag.count
                if isASCII { ascii[tag] = k } else { index[bytes] = k }
                tagOf[i] = k
                out.tag.append(t.tagNormalized[i])
                out.nUses.append(1)
                out.firstTaggedAt.append(t.taggedAt[i])
                out.lastTaggedAt.append(t.taggedAt[i])
            }
        }
        out.nMovies = distinctPerTag(tagOf, t.movieId, tags: out.tag.count)
        out.nUsers = distinctPerTag(tagOf, t.userId, tags: out.tag.count)
        return out
    }

    /// Distinct `ids` per tag index.
    static func distinctPerTag(_ tagOf: [Int], _ ids: [Int32], tags: Int) -> [Int64] {
        var pairs = zip(tagOf, ids).map { UInt64($0.0) << 32 | UInt64(UInt32(bitPattern: $0.1)) }
        pairs.sort()
        var counts = [Int64](repeating: 0, count: tags)
        var previous: UInt64? = nil
        for p in pairs where p != previous {
            counts[Int(p >> 32)] += 1
            previous = p
        }
        return counts
    }
}
