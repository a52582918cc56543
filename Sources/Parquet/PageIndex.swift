// The page index (apache/parquet-format PageIndex.md): for every column chunk an OffsetIndex
// (where each data page starts, its size and first row) and a ColumnIndex (each page's bounds,
// null count and whether the bounds are ordered), written between the last row group and the
// footer, which points at them (ColumnChunk fields 4-7). Readers use them to skip pages whose
// bounds cannot match a filter, within a row group.

/// One data page as the OffsetIndex lists it.
struct PageLocationMeta {
    /// File offset of the page header.
    var offset: Int64
    /// Header plus compressed body.
    var compressedPageSize: Int32
    /// Row of the row group the page starts at.
    var firstRowIndex: Int64
}

/// One data page's bounds for the ColumnIndex; `min`/`max` nil marks a page of nulls only.
struct PageBounds {
    var nullCount: Int64
    var min: [UInt8]?
    var max: [UInt8]?
}

/// Longest min/max bound kept in the ColumnIndex for byte arrays; longer ones are shortened to
/// a prefix (min) or a larger prefix (max), as PageIndex.md allows (bounds need not be values).
let pageIndexMaxBoundBytes = 64

struct ChunkPageIndex {
    var physical: PhysicalType
    var locations: [PageLocationMeta] = []
    var bounds: [PageBounds] = []
    /// False when a page's bounds cannot be stated (a float page holding only NaN): the chunk
    /// then gets an OffsetIndex but no ColumnIndex, as parquet-mr does.
    var columnIndexValid = true

    /// ASCENDING (1) / DESCENDING (2) when the non-null pages' mins and maxes are both ordered
    /// that way, else UNORDERED (0).
    func boundaryOrder() -> Int32 {
        var ascending = true
        var descending = true
        var previous: PageBounds? = nil
        for b in bounds where b.min != nil {
            if let p = previous {
                let cmin = compareBound(b.min!, p.min!, physical)
                let cmax = compareBound(b.max!, p.max!, physical)
                if cmin < 0 || cmax < 0 { ascending = false }
                if cmin > 0 || cmax > 0 { descending = false }
            }
            previous = b
        }
        if previous == nil { return 1 }
        return ascending ? 1 : (descending ? 2 : 0)
    }

    func writeColumnIndex(into out: ByteBuffer) {
        var w = ThriftCompactWriter(out)
        w.beginTopLevel()
        w.beginList(1, .boolTrue, count: bounds.count)
        for b in bounds { w.elementBool(b.min == nil) }
        w.beginList(2, .binary, count: bounds.count)
        for b in bounds { w.elementBinary(b.min ?? []) }
        w.beginList(3, .binary, count: bounds.count)
        for b in bounds { w.elementBinary(b.max ?? []) }
        w.i32(4, boundaryOrder())
        w.beginList(5, .i64, count: bounds.count)
        for b in bounds { w.elementI64(b.nullCount) }
        w.endStruct()
    }

    func writeOffsetIndex(into out: ByteBuffer) {
        var w = ThriftCompactWriter(out)
        w.beginTopLevel()
        w.beginList(1, .structure, count: locations.count)
        for l in locations {
            w.beginStructElement()
            w.i64(1, l.offset)
            w.i32(2, l.compressedPageSize)
            w.i64(3, l.firstRowIndex)
            w.endStruct()
        }
        w.endStruct()
    }
}

/// Orders two PLAIN-encoded bounds as the column's type-defined order does.
func compareBound(_ a: [UInt8], _ b: [UInt8], _ physical: PhysicalType) -> Int {
    func le(_ x: [UInt8]) -> UInt64 {
        var v: UInt64 = 0
        for (i, byte) in x.prefix(8).enumerated() { v |= UInt64(byte) << UInt64(8 * i) }
        return v
    }
    func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
    switch physical {
    case .int32: return sign(Int32(truncatingIfNeeded: le(a)), Int32(truncatingIfNeeded: le(b)))
    case .int64: return sign(Int64(bitPattern: le(a)), Int64(bitPattern: le(b)))
    case .float: return sign(Float(bitPattern: UInt32(truncatingIfNeeded: le(a))), Float(bitPattern: UInt32(truncatingIfNeeded: le(b))))
    case .double: return sign(Double(bitPattern: le(a)), Double(bitPattern: le(b)))
    case .boolean, .byteArray:
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in compareBytes(x, y) } }
    }
}

/// A byte-array lower bound of at most `pageIndexMaxBoundBytes` bytes (a prefix is smaller).
func truncatedMinBound(_ v: [UInt8]) -> [UInt8] {
    v.count <= pageIndexMaxBoundBytes ? v : Array(v.prefix(pageIndexMaxBoundBytes))
}

/// A byte-array upper bound of at most `pageIndexMaxBoundBytes` bytes: the prefix with its last
/// byte below 0xFF incremented (larger than every value with that prefix); the value itself when
/// no such byte exists.
func truncatedMaxBound(_ v: [UInt8]) -> [UInt8] {
    if v.count <= pageIndexMaxBoundBytes { return v }
    var p = Array(v.prefix(pageIndexMaxBoundBytes))
    while let last = p.last {
        if last < 0xFF {
            p[p.count - 1] = last + 1
            return p
        }
        p.removeLast()
    }
    return v
}
