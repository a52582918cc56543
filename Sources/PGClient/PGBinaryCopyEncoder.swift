/// Encodes rows in PostgreSQL's binary COPY format (`COPY t FROM STDIN (FORMAT binary)`):
///
///     header:  "PGCOPY\n\377\r\n\0" (11 bytes), int32 flags = 0, int32 header-extension length = 0
///     tuple:   int16 field count, then per field int32 byte length (-1 = NULL) + the value in the
///              type's binary send format (network byte order)
///     trailer: int16 -1
///
/// Usage: `header()`, then per row `beginRow(fieldCount:)` + one call per field (in table column
/// order, matching the column types exactly: int4 <-> int32, float4 <-> float4 ...), then `trailer()`.
/// The buffer is reused: when `count` (or `buffer.count`) passes a threshold (e.g. 1 MiB) send it
/// with `PGCopyWriter.flush(&encoder)` (or `write(encoder.buffer)` then `reset()`).
///
/// Hot path: fields are written with one unaligned store (or one short copy for text) into a raw
/// staging area, with one capacity check each; nothing is allocated per field (strings are read in
/// place through their UTF-8 storage). The per-row threshold check should read `count`: reading
/// `buffer` first moves the staged bytes into the array (about +40% time if done every row).
/// Measured (release, 2 shared cores): 25M rows of (int32, int32, float4, timestamptz, text,
/// int16-or-null) encode in about 0.5-0.9 s of CPU.
public struct PGBinaryCopyEncoder {
    /// The encoded bytes not yet sent. Reading it moves the bytes staged since the last read into
    /// the array (one copy), so for a cheap per-row threshold check use `count` instead; send it with
    /// `PGCopyWriter.flush(&encoder)` (no copy) or `PGCopyWriter.write(encoder.buffer)` + `reset()`.
    @inlinable
    public var buffer: [UInt8] {
        mutating _read {
            commit()
            yield storage
        }
        _modify {
            commit()
            yield &storage
        }
        set {
            storage = newValue
            used = 0
        }
    }

    /// The number of encoded bytes not yet sent (same as `buffer.count`, without touching the array).
    @inlinable public var count: Int { storage.count &+ used }

    /// Bytes moved out of the stage (by a read of `buffer`, or when the stage is full).
    @usableFromInline var storage: [UInt8]
    /// The stage every field is written to: raw memory owned by `owner`, `used` bytes filled.
    @usableFromInline var owner: StageMemory
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var used: Int

    /// Seconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01, in microseconds.
    public static let postgresEpochOffsetMicros: Int64 = 946_684_800 * 1_000_000
    public static let textOid: UInt32 = 25
    public static let float4Oid: UInt32 = 700

    /// `capacity` is reserved for `buffer`; fields are staged in a separate 256 KiB area.
    public init(reservingCapacity capacity: Int) {
        storage = []
        storage.reserveCapacity(capacity)
        owner = StageMemory(capacity: 1 << 18)
        base = owner.base
        self.capacity = owner.capacity
        used = 0
    }

    public init() { self.init(reservingCapacity: 1 << 21) }

    /// Empties the buffer, keeping its capacity.
    public mutating func reset() {
        ownStage()
        storage.removeAll(keepingCapacity: true)
        used = 0
    }

    /// Calls `body` with the pending bytes in order (at most two regions), without copying them.
    public func withPendingBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        if !storage.isEmpty { try storage.withUnsafeBytes(body) }
        if used > 0 { try body(UnsafeRawBufferPointer(start: base, count: used)) }
    }

    public mutating func header() {
        // P G C O P Y \n \377 \r \n \0
        ownStage()
        let signature: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00)
        append(signature)
        putBE32(0)  // flags: no OIDs
        putBE32(0)  // header extension length
    }

    public mutating func trailer() {
        ownStage()
        putBE16(0xFFFF)
    }

    @inlinable
    public mutating func beginRow(fieldCount: Int16) {
        ownStage()
        putBE16(UInt16(bitPattern: fieldCount))
    }

    // MARK: - Scalars

    @inlinable
    public mutating func null() {
        putBE32(0xFFFF_FFFF)
    }

    @inlinable
    public mutating func bool(_ v: Bool) {
        // length 1 + one byte, as one 5-byte write
        append((UInt32(1).bigEndian, UInt8(v ? 1 : 0)))
    }

    @inlinable
    public mutating func int16(_ v: Int16) {
        append((UInt32(2).bigEndian, UInt16(bitPattern: v).bigEndian))
    }

    @inlinable
    public mutating func int32(_ v: Int32) {
        append((UInt32(4).bigEndian, UInt32(bitPattern: v).bigEndian))
    }

    @inlinable
    public mutating func int64(_ v: Int64) {
        let bits = UInt64(bitPattern: v)
        append((UInt32(8).bigEndian, UInt32(truncatingIfNeeded: bits >> 32).bigEndian,
                UInt32(truncatingIfNeeded: bits).bigEndian))
    }

    @inlinable
    public mutating func float4(_ v: Float) {
        append((UInt32(4).bigEndian, v.bitPattern.bigEndian))
    }

    @inlinable
    public mutating func float8(_ v: Double) {
        let bits = v.bitPattern
        append((UInt32(8).bigEndian, UInt32(truncatingIfNeeded: bits >> 32).bigEndian,
                UInt32(truncatingIfNeeded: bits).bigEndian))
    }

    /// A `timestamptz` (or `timestamp`) value given as microseconds since 1970-01-01 UTC.
    @inlinable
    public mutating func timestamptz(epochMicros: Int64) {
        int64(epochMicros &- PGBinaryCopyEncoder.postgresEpochOffsetMicros)
    }

    /// A `date` value given as days since 1970-01-01 (PostgreSQL counts from 2000-01-01).
    @inlinable
    public mutating func date(epochDays: Int32) {
        int32(epochDays &- 10_957)
    }

    // MARK: - Variable length

    /// A `text`/`varchar` value (UTF-8). Must not contain NUL characters (PostgreSQL refuses them).
    @inlinable
    public mutating func text(_ s: String) {
        // Native Swift strings are contiguous UTF-8: read them in place.
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            text(bytes: UnsafeRawBufferPointer(utf8))
        }
        if done == nil {
            var copy = s
            copy.withUTF8 { text(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// A `text` value (or `bytea`) from raw bytes, already valid UTF-8 for text.
    @inlinable
    public mutating func text(bytes: UnsafeRawBufferPointer) {
        putBE32(UInt32(truncatingIfNeeded: bytes.count))
        append(bytes: bytes)
    }

    /// A `text` value (or `bytea`) from raw bytes, already valid UTF-8 for text.
    public mutating func text(bytes: [UInt8]) {
        bytes.withUnsafeBytes { text(bytes: $0) }
    }

    /// A one-dimensional `text[]` (no NULL elements). An empty array encodes as zero dimensions.
    public mutating func textArray(_ values: [String]) {
        let lengthAt = count
        putBE32(0)  // patched below
        let start = count
        arrayHeader(count: values.count, elementOid: PGBinaryCopyEncoder.textOid)
        for v in values { text(v) }
        patchLength(at: lengthAt, length: count - start)
    }

    /// A one-dimensional `real[]` (float4, no NULL elements). An empty array encodes as zero dimensions.
    public mutating func float4Array(_ values: UnsafeBufferPointer<Float>) {
        putBE32(UInt32(truncatingIfNeeded: values.isEmpty ? 12 : 20 + 8 * values.count))
        arrayHeader(count: values.count, elementOid: PGBinaryCopyEncoder.float4Oid)
        for v in values { float4(v) }
    }

    public mutating func float4Array(_ values: [Float]) {
        values.withUnsafeBufferPointer { float4Array($0) }
    }

    /// A pgvector `vector` value, in the extension's binary input format (`vector_recv`): int16
    /// dimensions, int16 unused (0), then each element as a big-endian float4 (no per-element
    /// length, unlike `real[]`). The column's declared dimension must equal `values.count`.
    public mutating func pgvector(_ values: UnsafeBufferPointer<Float>) {
        putBE32(UInt32(truncatingIfNeeded: 4 + 4 * values.count))
        putBE16(UInt16(truncatingIfNeeded: values.count))
        putBE16(0)
        for v in values { putBE32(v.bitPattern) }
    }

    public mutating func pgvector(_ values: [Float]) {
        values.withUnsafeBufferPointer { pgvector($0) }
    }

    // MARK: - Internals

    /// ndim, has-nulls flag, element oid, then (size, lower bound 1) for the one dimension.
    private mutating func arrayHeader(count: Int, elementOid: UInt32) {
        if count == 0 {
            append((UInt32(0).bigEndian, UInt32(0).bigEndian, elementOid.bigEndian))
        } else {
            append((UInt32(1).bigEndian, UInt32(0).bigEndian, elementOid.bigEndian,
                    UInt32(truncatingIfNeeded: count).bigEndian, UInt32(1).bigEndian))
        }
    }

    private mutating func patchLength(at index: Int, length: Int) {
        // `index` was taken from `count` just before the 4 placeholder bytes were written; they are
        // in the stage unless it was committed since.
        var be = UInt32(truncatingIfNeeded: length).bigEndian
        if index >= storage.count {
            ownStage()
            withUnsafeBytes(of: &be) { bytes in
                UnsafeMutableRawPointer(base + (index - storage.count))
                    .copyMemory(from: bytes.baseAddress!, byteCount: 4)
            }
        } else {
            withUnsafeBytes(of: &be) { bytes in
                storage.withUnsafeMutableBytes { dst in
                    dst.baseAddress!.advanced(by: index).copyMemory(from: bytes.baseAddress!, byteCount: 4)
                }
            }
        }
    }

    /// Moves the staged bytes to the end of `storage`.
    @inlinable
    mutating func commit() {
        if used > 0 {
            storage.append(contentsOf: UnsafeBufferPointer(start: base, count: used))
            used = 0
        }
    }

    /// Where the next `n` bytes go.
    @inlinable @inline(__always)
    mutating func room(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(used &+ n > capacity) { makeRoom(n) }
        return base + used
    }

    /// Copies of an encoder share its stage until one of them starts a row (or writes the header or
    /// trailer): then that copy takes a stage of its own. (Checking on every field would cost a
    /// runtime call per field; writing the same row through two copies is not supported.)
    @inlinable @inline(__always)
    mutating func ownStage() {
        if _slowPath(!isKnownUniquelyReferenced(&owner)) { makeRoom(0) }
    }

    @usableFromInline @inline(never)
    mutating func makeRoom(_ n: Int) {
        if !isKnownUniquelyReferenced(&owner) {
            let fresh = StageMemory(capacity: capacity)
            fresh.base.update(from: base, count: used)
            owner = fresh
            base = fresh.base
        }
        if used &+ n > capacity {
            commit()
            if n > capacity {
                let fresh = StageMemory(capacity: Swift.max(n, capacity * 2))
                owner = fresh
                base = fresh.base
                capacity = fresh.capacity
            }
        }
    }

    @inlinable @inline(__always)
    mutating func putBE16(_ v: UInt16) {
        append(v.bigEndian)
    }

    @inlinable @inline(__always)
    mutating func putBE32(_ v: UInt32) {
        append(v.bigEndian)
    }

    /// Appends the bytes of `value` (MemoryLayout<T>.size of them) with one unaligned store. Swift
    /// lays tuples out like C structs; every tuple passed here is 4-byte members followed by at most
    /// one narrower member, so its size is exactly its members, with no padding between them.
    @inlinable @inline(__always)
    mutating func append<T>(_ value: T) {
        let size = MemoryLayout<T>.size
        let dst = room(size)
        UnsafeMutableRawPointer(dst).storeBytes(of: value, as: T.self)
        used &+= size
    }

    @inlinable @inline(__always)
    mutating func append(bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        let dst = room(n)
        let d = UnsafeMutableRawPointer(dst)
        if n >= 8 && n <= 16 {
            // Short strings (tags, names, codes) are the common case: two overlapping 8-byte moves
            // instead of a memmove call.
            let head = src.loadUnaligned(as: UInt64.self)
            let tail = src.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            d.storeBytes(of: head, as: UInt64.self)
            d.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let head = src.loadUnaligned(as: UInt32.self)
            let tail = src.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            d.storeBytes(of: head, as: UInt32.self)
            d.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
        } else {
            d.copyMemory(from: src, byteCount: n)
        }
        used &+= n
    }
}

/// The raw staging memory of an encoder; a class so that copies of an encoder can tell that they
/// share it (isKnownUniquelyReferenced) and it is freed with the last of them.
@usableFromInline
final class StageMemory {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int

    @usableFromInline
    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }
}
