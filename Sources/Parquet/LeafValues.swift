// How a column's rows map onto leaf values and levels, and the fixed-width value types.

/// The shape of one column for a range of rows: which rows are present and, for list columns,
/// which leaf values each row holds.
struct LeafLayout {
    /// Row validity (indexed by absolute row); nil = every row present.
    var validity: UnsafePointer<Bool>?
    /// List columns: leaf start of each row, indexed by `row - offsetsRowBase`, with one more
    /// entry than rows. nil for flat columns (row r is leaf r).
    var offsets: UnsafePointer<Int>?
    var offsetsRowBase: Int = 0

    var isList: Bool { offsets != nil }

    @inline(__always)
    func leafStart(_ row: Int) -> Int {
        if let offsets { return offsets[row &- offsetsRowBase] }
        return row
    }

    @inline(__always)
    func isPresent(_ row: Int) -> Bool {
        if let validity { return validity[row] }
        return true
    }

    /// Calls `body(lo, hi)` for each maximal non-empty range of leaves of present rows within
    /// `rows`, in order. Stops early (returning false) when `body` returns false.
    @inline(__always)
    @discardableResult
    func forEachLeafRange(_ rows: Range<Int>, _ body: (Int, Int) -> Bool) -> Bool {
        guard let validity else {
            let lo = leafStart(rows.lowerBound)
            let hi = leafStart(rows.upperBound)
            return lo < hi ? body(lo, hi) : true
        }
        var r = rows.lowerBound
        let end = rows.upperBound
        while r < end {
            while r < end && !validity[r] { r &+= 1 }
            if r == end { break }
            let s = r
            while r < end && validity[r] { r &+= 1 }
            let lo = leafStart(s)
            let hi = leafStart(r)
            if lo < hi && !body(lo, hi) { return false }
        }
        return true
    }

    /// Number of leaf values of present rows in `rows`.
    @inline(__always)
    func presentLeafCount(_ rows: Range<Int>) -> Int {
        var n = 0
        forEachLeafRange(rows) { lo, hi in
            n &+= hi &- lo
            return true
        }
        return n
    }

    /// Number of null rows in `rows`.
    func nullRowCount(_ rows: Range<Int>) -> Int {
        guard let validity else { return 0 }
        var n = 0
        for r in rows where !validity[r] { n &+= 1 }
        return n
    }
}

/// Fixed-width values written as INT32, INT64, FLOAT or DOUBLE.
protocol ParquetFixedValue: Comparable {
    /// Bytes of the physical type (4 or 8).
    static var physicalWidth: Int { get }
    /// The in-memory layout equals the little-endian physical layout (copy as is).
    static var layoutMatchesPhysical: Bool { get }
    static var isFloatingPoint: Bool { get }
    /// Start values for a min/max scan (the type's largest and smallest values).
    static var scanMinStart: Self { get }
    static var scanMaxStart: Self { get }
    /// The physical value's bit pattern, zero-extended.
    var physicalBits: UInt64 { get }
    /// The value as an integer (integer types only; 0 for floating point).
    var integerValue: Int64 { get }
    var isNaNValue: Bool { get }
    /// The value to store as a minimum / maximum statistic (floats: -0.0 / +0.0 for zero).
    var asStatisticMin: Self { get }
    var asStatisticMax: Self { get }
}

extension Int8: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { Int64(self) }
    static var physicalWidth: Int { 4 }
    static var layoutMatchesPhysical: Bool { false }
    static var isFloatingPoint: Bool { false }
    static var scanMinStart: Int8 { .max }
    static var scanMaxStart: Int8 { .min }
    @inline(__always) var physicalBits: UInt64 { UInt64(UInt32(bitPattern: Int32(self))) }
    @inline(__always) var isNaNValue: Bool { false }
    var asStatisticMin: Int8 { self }
    var asStatisticMax: Int8 { self }
}

extension Int16: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { Int64(self) }
    static var physicalWidth: Int { 4 }
    static var layoutMatchesPhysical: Bool { false }
    static var isFloatingPoint: Bool { false }
    static var scanMinStart: Int16 { .max }
    static var scanMaxStart: Int16 { .min }
    @inline(__always) var physicalBits: UInt64 { UInt64(UInt32(bitPattern: Int32(self))) }
    @inline(__always) var isNaNValue: Bool { false }
    var asStatisticMin: Int16 { self }
    var asStatisticMax: Int16 { self }
}

extension Int32: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { Int64(self) }
    static var physicalWidth: Int { 4 }
    static var layoutMatchesPhysical: Bool { hostIsLittleEndian }
    static var isFloatingPoint: Bool { false }
    static var scanMinStart: Int32 { .max }
    static var scanMaxStart: Int32 { .min }
    @inline(__always) var physicalBits: UInt64 { UInt64(UInt32(bitPattern: self)) }
    @inline(__always) var isNaNValue: Bool { false }
    var asStatisticMin: Int32 { self }
    var asStatisticMax: Int32 { self }
}

extension Int64: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { self }
    static var physicalWidth: Int { 8 }
    static var layoutMatchesPhysical: Bool { hostIsLittleEndian }
    static var isFloatingPoint: Bool { false }
    static var scanMinStart: Int64 { .max }
    static var scanMaxStart: Int64 { .min }
    @inline(__always) var physicalBits: UInt64 { UInt64(bitPattern: self) }
    @inline(__always) var isNaNValue: Bool { false }
    var asStatisticMin: Int64 { self }
    var asStatisticMax: Int64 { self }
}

extension Float: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { 0 }
    static var physicalWidth: Int { 4 }
    static var layoutMatchesPhysical: Bool { hostIsLittleEndian }
    static var isFloatingPoint: Bool { true }
    static var scanMinStart: Float { .infinity }
    static var scanMaxStart: Float { -.infinity }
    @inline(__always) var physicalBits: UInt64 { UInt64(bitPattern) }
    @inline(__always) var isNaNValue: Bool { isNaN }
    var asStatisticMin: Float { self == 0 ? -0.0 : self }
    var asStatisticMax: Float { self == 0 ? 0.0 : self }
}

extension Double: ParquetFixedValue {
    @inline(__always) var integerValue: Int64 { 0 }
    static var physicalWidth: Int { 8 }
    static var layoutMatchesPhysical: Bool { hostIsLittleEndian }
    static var isFloatingPoint: Bool { true }
    static var scanMinStart: Double { .infinity }
    static var scanMaxStart: Double { -.infinity }
    @inline(__always) var physicalBits: UInt64 { bitPattern }
    @inline(__always) var isNaNValue: Bool { isNaN }
    var asStatisticMin: Double { self == 0 ? -0.0 : self }
    var asStatisticMax: Double { self == 0 ? 0.0 : self }
}

let hostIsLittleEndian: Bool = 1.littleEndian == 1

/// PLAIN bytes of a physical bit pattern of `width` bytes.
@inline(__always)
func plainBytes(bits: UInt64, width: Int) -> [UInt8] {
    (0..<width).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt64($0))) }
}

/// Runs `body` with the UTF-8 bytes of the string at `p`, borrowing it in place (no retain).
@inline(__always)
func withUTF8Bytes<R>(at p: UnsafePointer<String>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let r = p.pointee.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return r
    }
    var copy = p.pointee
    return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}

/// Unsigned byte-wise comparison (shorter prefix sorts first).
@inline(__always)
func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0 {
        let c = memcmp(a.baseAddress!, b.baseAddress!, n)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
