// Equality of column values as stored data, so that a round trip reads `write -> read -> ==`.

extension ParquetColumnValues: Equatable {
    /// True when both describe the same stored column: the same case and row count, the same null
    /// rows (a nil validity equals an all-true one), and the same values in every present row.
    /// Null slots are not compared (the writer ignores them; the reader returns a placeholder).
    /// Strings compare by UTF-8 bytes.
    /// Floats and doubles compare by bit pattern, so NaN equals the same NaN and -0.0 differs
    /// from 0.0: equality means "the same bytes were stored".
    public static func == (lhs: ParquetColumnValues, rhs: ParquetColumnValues) -> Bool {
        guard lhs.rowCount == rhs.rowCount else { return false }
        let n = lhs.rowCount
        let lv = lhs.validity
        let rv = rhs.validity
        @inline(__always) func present(_ v: [Bool]?, _ r: Int) -> Bool { v?[r] ?? true }
        for r in 0..<n where present(lv, r) != present(rv, r) { return false }
        func same<T>(_ a: [T], _ b: [T], _ eq: (T, T) -> Bool) -> Bool {
            for r in 0..<n where present(lv, r) && !eq(a[r], b[r]) { return false }
            return true
        }
        switch (lhs, rhs) {
        case (.bool(let a, _), .bool(let b, _)): return same(a, b, ==)
        case (.int8(let a, _), .int8(let b, _)): return same(a, b, ==)
        case (.int16(let a, _), .int16(let b, _)): return same(a, b, ==)
        case (.int32(let a, _), .int32(let b, _)): return same(a, b, ==)
        case (.int64(let a, _), .int64(let b, _)): return same(a, b, ==)
        case (.float(let a, _), .float(let b, _)): return same(a, b) { $0.bitPattern == $1.bitPattern }
        case (.double(let a, _), .double(let b, _)): return same(a, b) { $0.bitPattern == $1.bitPattern }
        case (.string(let a, _), .string(let b, _)): return same(a, b, sameBytes)
        case (.stringList(let a, _), .stringList(let b, _)):
            return same(a, b) { x, y in x.count == y.count && zip(x, y).allSatisfy(sameBytes) }
        case (.floatList(let av, let ao, _), .floatList(let bv, let bo, _)):
            return av.withUnsafeBufferPointer { a in
                bv.withUnsafeBufferPointer { b in
                    for r in 0..<n where present(lv, r) {
                        let count = ao[r + 1] - ao[r]
                        guard count == bo[r + 1] - bo[r] else { return false }
                        if count == 0 { continue }
                        let x = a.baseAddress! + ao[r], y = b.baseAddress! + bo[r]
                        for i in 0..<count where x[i].bitPattern != y[i].bitPattern { return false }
                    }
                    return true
                }
            }
        default:
            return false
        }
    }
}

/// Strings compare by their UTF-8 bytes (not by Unicode canonical equivalence, as `==` does).
@inline(__always)
private func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
