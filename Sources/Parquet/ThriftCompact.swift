// An encoder for the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md),
// just enough of it for Parquet metadata: structs and unions, lists, i8/i32/i64 (zigzag varints),
// binary/string and bool fields.

/// Compact-protocol type ids, as used in field headers and list headers.
enum ThriftType: UInt8 {
    case boolTrue = 1   // field header only; bool list elements use 1/2 as well
    case boolFalse = 2
    case i8 = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
}

@inline(__always)
func zigzag32(_ n: Int32) -> UInt64 {
    UInt64(UInt32(bitPattern: (n << 1) ^ (n >> 31)))
}

@inline(__always)
func zigzag64(_ n: Int64) -> UInt64 {
    UInt64(bitPattern: (n << 1) ^ (n >> 63))
}

/// Writes one top-level struct (or a sequence of them) to a `ByteBuffer`.
///
/// Fields must be written in increasing id order within a struct (the encoder uses the short
/// delta form whenever the delta is 1...15). Every `beginStruct`/`beginStructElement` must be
/// matched by `endStruct`; the outermost struct is closed with `endStruct` as well.
struct ThriftCompactWriter {
    let out: ByteBuffer
    private var lastFieldID: Int16 = 0
    private var stack: [Int16] = []

    init(_ out: ByteBuffer) {
        self.out = out
    }

    private mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = Int(id) - Int(lastFieldID)
        if delta > 0 && delta <= 15 {
            out.append(UInt8(delta) << 4 | type)
        } else {
            out.append(type)
            out.appendVarint(zigzag32(Int32(id)))
        }
        lastFieldID = id
    }

    // MARK: fields

    mutating func i8(_ id: Int16, _ v: Int8) {
        fieldHeader(id, ThriftType.i8.rawValue)
        out.append(UInt8(bitPattern: v))
    }

    mutating func i16(_ id: Int16, _ v: Int16) {
        fieldHeader(id, ThriftType.i16.rawValue)
        out.appendVarint(zigzag32(Int32(v)))
    }

    mutating func i32(_ id: Int16, _ v: Int32) {
        fieldHeader(id, ThriftType.i32.rawValue)
        out.appendVarint(zigzag32(v))
    }

    mutating func i64(_ id: Int16, _ v: Int64) {
        fieldHeader(id, ThriftType.i64.rawValue)
        out.appendVarint(zigzag64(v))
    }

    mutating func bool(_ id: Int16, _ v: Bool) {
        fieldHeader(id, v ? ThriftType.boolTrue.rawValue : ThriftType.boolFalse.rawValue)
    }

    mutating func binary(_ id: Int16, _ bytes: [UInt8]) {
        fieldHeader(id, ThriftType.binary.rawValue)
        out.appendVarint(UInt64(bytes.count))
        out.append(bytes)
    }

    mutating func string(_ id: Int16, _ s: String) {
        binary(id, Array(s.utf8))
    }

    /// Starts a struct- or union-typed field; close it with `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, ThriftType.structure.rawValue)
        stack.append(lastFieldID)
        lastFieldID = 0
    }

    /// A struct-typed field with no fields set (e.g. `StringType {}`).
    mutating func emptyStruct(_ id: Int16) {
        beginStruct(id)
        endStruct()
    }

    /// Writes the stop byte of the current struct.
    mutating func endStruct() {
        out.append(0)
        lastFieldID = stack.popLast() ?? 0
    }

    /// Starts a list-typed field with `count` elements of `elementType`.
    mutating func beginList(_ id: Int16, _ elementType: ThriftType, count: Int) {
        fieldHeader(id, ThriftType.list.rawValue)
        listHeader(elementType, count: count)
    }

    private func listHeader(_ elementType: ThriftType, count: Int) {
        if count < 15 {
            out.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            out.append(0xF0 | elementType.rawValue)
            out.appendVarint(UInt64(count))
        }
    }

    // MARK: list elements

    func elementI32(_ v: Int32) {
        out.appendVarint(zigzag32(v))
    }

    func elementI64(_ v: Int64) {
        out.appendVarint(zigzag64(v))
    }

    /// A bool list element: 1 for true, 2 for false (as the reference implementations write).
    func elementBool(_ v: Bool) {
        out.append(v ? 1 : 2)
    }

    func elementBinary(_ bytes: [UInt8]) {
        out.appendVarint(UInt64(bytes.count))
        out.append(bytes)
    }

    func elementString(_ s: String) {
        elementBinary(Array(s.utf8))
    }

    /// Starts a struct element of a list; close it with `endStruct()`.
    mutating func beginStructElement() {
        stack.append(lastFieldID)
        lastFieldID = 0
    }

    /// Starts the outermost struct (no field header).
    mutating func beginTopLevel() {
        stack.append(0)
        lastFieldID = 0
    }
}
