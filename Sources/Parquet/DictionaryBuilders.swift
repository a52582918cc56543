// Hash tables that build a column chunk's dictionary in insertion order.
//
// Both tables are reused across column chunks: a generation stamp marks live slots, so
// resetting is O(1) no matter how large the table grew.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let fibonacciMultiplier: UInt64 = 0x9E37_79B9_7F4A_7C15

struct FixedDictSlot {
    var key: UInt64
    var index: UInt32
    var generation: UInt32
}

/// Dictionary of fixed-width physical values, keyed by their bit pattern (so -0.0 and 0.0, or
/// NaNs with different payloads, stay distinct and round-trip exactly).
final class FixedDictionary {
    private var slots: UnsafeMutablePointer<FixedDictSlot>
    private var slotCount: Int
    private var shift: UInt64
    private var generation: UInt32 = 1
    /// Entry keys in insertion order (dictionary index -> key).
    private(set) var keys: UnsafeMutablePointer<UInt64>
    private var keysCapacity: Int
    private(set) var count = 0
    private var maxEntries = 0

    init() {
        slotCount = 1 << 12
        shift = 64 - 12
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: FixedDictSlot(key: 0, index: 0, generation: 0), count: slotCount)
        keysCapacity = 1 << 11
        keys = .allocate(capacity: keysCapacity)
    }

    deinit {
        slots.deallocate()
        keys.deallocate()
        dense.deallocate()
    }

    /// Empties the dictionary; at most `maxEntries` entries will be accepted.
    func reset(maxEntries: Int) {
        count = 0
        self.maxEntries = maxEntries
        generation &+= 1
        if generation == 0 {
            slots.update(repeating: FixedDictSlot(key: 0, index: 0, generation: 0), count: slotCount)
            generation = 1
        }
    }

    /// A read-only view of the table for fast lookups; invalid after an insert.
    struct Snapshot {
        let slots: UnsafeMutablePointer<FixedDictSlot>
        let mask: Int
        let shift: UInt64
        let generation: UInt32

        /// The index of `key`, or -1 when it is not in the table.
        @inline(__always)
        func find(_ key: UInt64) -> Int {
            var h = Int(truncatingIfNeeded: (key &* fibonacciMultiplier) >> shift)
            while true {
                let s = slots[h]
                if s.generation != generation { return -1 }
                if s.key == key { return Int(s.index) }
                h = (h &+ 1) & mask
            }
        }
    }

    var snapshot: Snapshot {
        Snapshot(slots: slots, mask: slotCount - 1, shift: shift, generation: generation)
    }

    /// The index of `key`, inserting it if new; -1 when the dictionary is full.
    @inline(__always)
    func index(of key: UInt64) -> Int {
        var h = Int(truncatingIfNeeded: (key &* fibonacciMultiplier) >> shift)
        let mask = slotCount &- 1
        while true {
            let s = slots[h]
            if s.generation != generation {
                return insert(key, at: h)
            }
            if s.key == key { return Int(s.index) }
            h = (h &+ 1) & mask
        }
    }

    @inline(never)
    private func insert(_ key: UInt64, at slot: Int) -> Int {
        if count >= maxEntries { return -1 }
        if (count &+ 1) &* 2 > slotCount {
            grow()
            return index(of: key)
        }
        if count == keysCapacity { growKeys() }
        slots[slot] = FixedDictSlot(key: key, index: UInt32(count), generation: generation)
        keys[count] = key
        count &+= 1
        return count &- 1
    }

    // MARK: dense mode (integers of a small range: a direct-mapped table, no hashing)

    /// Direct-mapped table: value - base -> index, -1 when absent. Kept all -1 between uses.
    private var dense: UnsafeMutablePointer<Int32> = .allocate(capacity: 1)
    private var denseCapacity = 0

    /// Starts a dense build for values in `base ..< base + range` (call `reset` first).
    /// Returns the table to use with `denseIndex`.
    func beginDense(range: Int) -> UnsafeMutablePointer<Int32> {
        if range > denseCapacity {
            dense.deallocate()
            denseCapacity = max(range, 1024)
            dense = .allocate(capacity: denseCapacity)
            dense.initialize(repeating: -1, count: denseCapacity)
        }
        return dense
    }

    /// Inserts a value missing from the dense table; -1 when the dictionary is full.
    @inline(__always)
    func denseInsert(_ key: UInt64, slot: UnsafeMutablePointer<Int32>) -> Int32 {
        if count >= maxEntries { return -1 }
        if count == keysCapacity { growKeys() }
        keys[count] = key
        slot.pointee = Int32(count)
        count &+= 1
        return Int32(count &- 1)
    }

    /// Restores the dense table to all -1 (touching only the entries used).
    func endDense(offsetOf: (UInt64) -> Int) {
        for i in 0..<count { dense[offsetOf(keys[i])] = -1 }
    }

    private func growKeys() {
        let newKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: keysCapacity * 2)
        newKeys.update(from: keys, count: count)
        keys.deallocate()
        keys = newKeys
        keysCapacity *= 2
    }

    private func grow() {
        slots.deallocate()
        slotCount *= 2
        shift -= 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: FixedDictSlot(key: 0, index: 0, generation: 0), count: slotCount)
        generation = 1
        let mask = slotCount - 1
        for i in 0..<count {
            let key = keys[i]
            var h = Int(truncatingIfNeeded: (key &* fibonacciMultiplier) >> shift)
            while slots[h].generation == generation { h = (h + 1) & mask }
            slots[h] = FixedDictSlot(key: key, index: UInt32(i), generation: generation)
        }
    }
}

struct BytesDictSlot {
    var hash: UInt64
    var index: UInt32
    var generation: UInt32
}

/// Dictionary of byte strings. The entries are kept PLAIN-encoded (4-byte length + bytes) in
/// `data`, which is exactly the dictionary page's content.
final class BytesDictionary {
    private var slots: UnsafeMutablePointer<BytesDictSlot>
    private var slotCount: Int
    private var shift: UInt64
    private var generation: UInt32 = 1
    /// PLAIN-encoded entries in insertion order.
    let data = ByteBuffer(capacity: 1 << 16)
    /// Offset in `data` of each entry's bytes (its length prefix is the 4 bytes before).
    private(set) var starts: [Int] = []
    private var hashes: [UInt64] = []
    private var maxBytes = 0

    var count: Int { starts.count }

    init() {
        slotCount = 1 << 12
        shift = 64 - 12
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: BytesDictSlot(hash: 0, index: 0, generation: 0), count: slotCount)
    }

    deinit { slots.deallocate() }

    /// Empties the dictionary; entries are refused once `data` would exceed `maxBytes`.
    func reset(maxBytes: Int) {
        self.maxBytes = maxBytes
        data.removeAll()
        starts.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {
            slots.update(repeating: BytesDictSlot(hash: 0, index: 0, generation: 0), count: slotCount)
            generation = 1
        }
    }

    @inline(__always)
    func entry(_ i: Int) -> UnsafeRawBufferPointer {
        let start = starts[i]
        let len = Int(data.base.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self).littleEndian)
        return UnsafeRawBufferPointer(start: data.base + start, count: len)
    }

    /// The index of the byte string, inserting it if new; -1 when the dictionary is full.
    @inline(__always)
    func index(of bytes: UnsafeRawBufferPointer) -> Int {
        let hash = hashBytes(bytes)
        var h = Int(truncatingIfNeeded: (hash &* fibonacciMultiplier) >> shift)
        let mask = slotCount &- 1
        while true {
            let s = slots[h]
            if s.generation != generation {
                return insert(bytes, hash: hash, at: h)
            }
            if s.hash == hash {
                let e = entry(Int(s.index))
                if e.count == bytes.count && (e.count == 0 || memcmp(e.baseAddress!, bytes.baseAddress!, e.count) == 0) {
                    return Int(s.index)
                }
            }
            h = (h &+ 1) & mask
        }
    }

    @inline(never)
    private func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64, at slot: Int) -> Int {
        if data.count + 4 + bytes.count > maxBytes { return -1 }
        let n = starts.count
        if (n + 1) * 2 > slotCount {
            grow()
            return index(of: bytes)
        }
        data.appendLE32(UInt32(bytes.count))
        starts.append(data.count)
        if let p = bytes.baseAddress { data.append(p, count: bytes.count) }
        hashes.append(hash)
        slots[slot] = BytesDictSlot(hash: hash, index: UInt32(n), generation: generation)
        return n
    }

    private func grow() {
        slots.deallocate()
        slotCount *= 2
        shift -= 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: BytesDictSlot(hash: 0, index: 0, generation: 0), count: slotCount)
        generation = 1
        let mask = slotCount - 1
        for i in 0..<starts.count {
            let hash = hashes[i]
            var h = Int(truncatingIfNeeded: (hash &* fibonacciMultiplier) >> shift)
            while slots[h].generation == generation { h = (h + 1) & mask }
            slots[h] = BytesDictSlot(hash: hash, index: UInt32(i), generation: generation)
        }
    }
}

/// A fast non-cryptographic 64-bit hash of a byte string (8 bytes at a time, multiply-xorshift
/// mixing). Only used to find dictionary entries; it never reaches the file.
@inline(__always)
func hashBytes(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let n = bytes.count
    var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ (UInt64(n) &* 0xFF51_AFD7_ED55_8CCD)
    guard let p = bytes.baseAddress else { return h }
    var i = 0
    while i &+ 8 <= n {
        let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        i &+= 8
    }
    if i < n {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            w |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift &+= 8
            i &+= 1
        }
        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
    }
    h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
    return h ^ (h >> 33)
}
