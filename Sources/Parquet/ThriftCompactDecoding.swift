// A decoder for the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md),
// the counterpart of ThriftCompactWriter: structs and unions, lists/sets/maps, zigzag varints,
// binary, bool and double. Every read is checked against the end of the byte range, and nesting
// is limited, so a damaged footer or page header gives a `DecodeFailure`, never a read past the
// buffer or a stack overflow.

struct ThriftCompactReader {
    private let base: UnsafeRawPointer
    private let end: Int
    /// Offset of the next byte to read.
    private(set) var position: Int
    private var lastFieldID: Int16 = 0
    private var depth = 0
    /// Structs/lists nested deeper than this are refused (parquet.thrift needs fewer than 10).
    static let maxDepth = 64

    /// Reads from `base[start..<end]`.
    init(_ base: UnsafeRawPointer, start: Int = 0, end: Int) {
        self.base = base
        self.position = start
        self.end = end
    }

    var remaining: Int { end - position }

    // MARK: primitives

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw DecodeFailure("Thrift data ends unexpectedly at byte \(position)") }
        let b = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return b
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw DecodeFailure("a Thrift varint overflows 64 bits at byte \(position - 1)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw DecodeFailure("a Thrift varint is longer than 10 bytes at byte \(position - 1)") }
        }
    }

    mutating func i64() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try i64()
        guard let r = Int32(exactly: v) else { throw DecodeFailure("a Thrift i32 holds \(v), outside the 32-bit range") }
        return r
    }

    mutating func i16() throws -> Int16 {
        let v = try i64()
        guard let r = Int16(exactly: v) else { throw DecodeFailure("a Thrift i16 holds \(v), outside the 16-bit range") }
        return r
    }

    mutating func i8() throws -> Int8 {
        Int8(bitPattern: try byte())
    }

    mutating func double() throws -> Double {
        guard remaining >= 8 else { throw DecodeFailure("Thrift data ends inside a double at byte \(position)") }
        let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return Double(bitPattern: bits)
    }

    /// Length-prefixed bytes; calls `body` with them in place.
    mutating func binary<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let n = try varint()
        guard n <= UInt64(remaining) else {
            throw DecodeFailure("a Thrift binary field claims \(n) bytes but only \(remaining) remain")
        }
        let r = try body(UnsafeRawBufferPointer(start: base + position, count: Int(n)))
        position += Int(n)
        return r
    }

    mutating func bytes() throws -> [UInt8] {
        try binary { [UInt8]($0) }
    }

    mutating func string() throws -> String {
        try binary { raw in
            guard let s = String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self) else {
                throw DecodeFailure("a Thrift string is not valid UTF-8")
            }
            return s
        }
    }

    // MARK: structs

    /// Reads one struct: calls `field(&self, id, type)` for every field until the stop byte. The
    /// callback must consume the field's value (or call `skip(type)`). Bool fields carry their
    /// value in the type (`boolValue(type)`).
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, UInt8) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw DecodeFailure("Thrift structs nested deeper than \(Self.maxDepth)") }
        let saved = lastFieldID
        lastFieldID = 0
        defer { lastFieldID = saved }
        while true {
            let header = try byte()
            if header == 0 { return }
            let type = header & 0x0F
            let delta = header >> 4
            let id: Int16
            if delta != 0 {
                id = lastFieldID &+ Int16(delta)
            } else {
                id = try i16()
            }
            lastFieldID = id
            try field(&self, id, type)
        }
    }

    /// The value of a bool struct field, from its header type (1 = true, 2 = false).
    func boolValue(_ type: UInt8) throws -> Bool {
        switch type {
        case ThriftType.boolTrue.rawValue: return true
        case ThriftType.boolFalse.rawValue: return false
        default: throw DecodeFailure("a Thrift bool field has type \(type)")
        }
    }

    /// Checks a field's wire type before reading it.
    func expect(_ type: UInt8, _ expected: ThriftType, _ what: String) throws {
        if type != expected.rawValue {
            // Compact protocol writes both bool types; accept either for a bool field.
            if expected == .boolTrue && type == ThriftType.boolFalse.rawValue { return }
            throw DecodeFailure("Thrift field \(what) has wire type \(type), expected \(expected.rawValue)")
        }
    }

    /// A list (or set) header: element type and count. The count is checked against the bytes
    /// left (every element takes at least one byte), so a damaged count cannot make a caller
    /// reserve a huge array.
    mutating func listHeader() throws -> (elementType: UInt8, count: Int) {
        let b = try byte()
        var count = Int(b >> 4)
        if count == 15 {
            let n = try varint()
            guard n <= UInt64(Int32.max) else { throw DecodeFailure("a Thrift list claims \(n) elements") }
            count = Int(n)
        }
        let elementType = b & 0x0F
        guard count <= remaining else {
            throw DecodeFailure("a Thrift list claims \(count) elements but only \(remaining) bytes remain")
        }
        return (elementType, count)
    }

    /// Reads a list, calling `element(&self, elementType)` `count` times.
    mutating func readList(_ element: (inout ThriftCompactReader, UInt8) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw DecodeFailure("Thrift lists nested deeper than \(Self.maxDepth)") }
        let (type, count) = try listHeader()
        for _ in 0..<count { try element(&self, type) }
    }

    /// Skips a value of wire type `type`. `inList` distinguishes bool list elements (one byte)
    /// from bool struct fields (no byte: the value is in the field header).
    mutating func skip(_ type: UInt8, inList: Bool = false) throws {
        switch type {
        case ThriftType.boolTrue.rawValue, ThriftType.boolFalse.rawValue:
            if inList { _ = try byte() }
        case ThriftType.i8.rawValue:
            _ = try byte()
        case ThriftType.i16.rawValue, ThriftType.i32.rawValue, ThriftType.i64.rawValue:
            _ = try varint()
        case ThriftType.double.rawValue:
            _ = try double()
        case ThriftType.binary.rawValue:
            try binary { _ in }
        case ThriftType.list.rawValue, ThriftType.set.rawValue:
            try readList { r, t in try r.skip(t, inList: true) }
        case ThriftType.map.rawValue:
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw DecodeFailure("Thrift maps nested deeper than \(Self.maxDepth)") }
            let n = try varint()
            if n == 0 { return }
            guard n <= UInt64(remaining) else { throw DecodeFailure("a Thrift map claims \(n) entries") }
            let kv = try byte()
            for _ in 0..<Int(n) {
                try skip(kv >> 4, inList: true)
                try skip(kv & 0x0F, inList: true)
            }
        case ThriftType.structure.rawValue:
            try readStruct { r, _, t in try r.skip(t) }
        default:
            throw DecodeFailure("unknown Thrift wire type \(type) at byte \(position)")
        }
    }
}
