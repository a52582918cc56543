// Page compression with libzstd through one reused compression context.

import CZstd

final class ZstdCompressor {
    private let context: OpaquePointer

    init?() {
        guard let ctx = ZSTD_createCCtx() else { return nil }
        context = ctx
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `src[0..<count]` into `out` (replacing its contents). Returns an error message
    /// on failure.
    func compress(_ src: UnsafeRawPointer, count: Int, level: Int32, into out: ByteBuffer) -> String? {
        let bound = ZSTD_compressBound(count)
        if ZSTD_isError(bound) != 0 {
            return String(cString: ZSTD_getErrorName(bound))
        }
        out.removeAll()
        out.reserve(bound)
        let written = ZSTD_compressCCtx(context, out.base, bound, src, count, level)
        if ZSTD_isError(written) != 0 {
            return String(cString: ZSTD_getErrorName(written))
        }
        out.count = written
        return nil
    }
}

enum ZstdLevels {
    static var min: Int32 { ZSTD_minCLevel() }
    static var max: Int32 { ZSTD_maxCLevel() }
}
