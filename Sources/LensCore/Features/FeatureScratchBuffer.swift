#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A large scratch array of Doubles for BLAS/LAPACK (the genome matrix), freed when it goes
/// out of scope. Why not `[Double]`: the memory is 2 MiB-aligned and, on Linux, advised as
/// transparent huge pages (`MADV_HUGEPAGE`; Debian's default THP mode is "madvise"), which
/// halves the page-fault cost of first touching 125 MB and the TLB misses of dsyrk/dgemm, as
/// numpy does for its large arrays.
struct FeatureScratchBuffer: ~Copyable {
    /// The memory, initialised to the fill value.
    let buffer: UnsafeMutableBufferPointer<Double>

    /// Allocates `count` Doubles set to `fill`; nil when the memory cannot be had.
    init?(count: Int, fill: Double) {
        let align = 2 << 20
        let bytes = max(count, 1) * MemoryLayout<Double>.stride
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, align, bytes) == 0, let raw else { return nil }
        #if os(Linux)
            // Advice only: without THP the memory is ordinary pages.
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
        #endif
        let p = raw.bindMemory(to: Double.self, capacity: count)
        p.initialize(repeating: fill, count: count)
        buffer = UnsafeMutableBufferPointer(start: p, count: count)
    }

    deinit { free(buffer.baseAddress) }
}
