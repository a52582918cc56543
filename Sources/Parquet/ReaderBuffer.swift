// A reusable raw buffer for the reader (column chunk bytes, decompressed pages, levels,
// indices), always followed by `padding` spare bytes so that the bit-unpacking loops may load
// 8 bytes at a time near the end of their input.

final class ReaderBuffer {
    static let padding = 16

    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity + Self.padding, alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: self.capacity + Self.padding)
    }

    deinit { base.deallocate() }

    /// Makes room for `bytes` bytes (old contents are not kept).
    @inline(__always)
    func ensure(_ bytes: Int) {
        if bytes > capacity { grow(bytes) }
    }

    @inline(never)
    private func grow(_ bytes: Int) {
        base.deallocate()
        var cap = capacity
        while cap < bytes { cap = cap &* 2 }
        capacity = cap
        base = UnsafeMutableRawPointer.allocate(byteCount: cap + Self.padding, alignment: 16)
        // Padding bytes are read (and masked away) by bit-unpacking: give them a defined value.
        (base + cap).initializeMemory(as: UInt8.self, repeating: 0, count: Self.padding)
    }

    /// The buffer as typed storage for `count` elements of `T` (trivial types only).
    @inline(__always)
    func typed<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        ensure(count &* MemoryLayout<T>.stride)
        return base.bindMemory(to: T.self, capacity: max(count, 1))
    }
}
