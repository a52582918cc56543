// Page decompression with libzstd through one reused decompression context.

import CZstd

final class ZstdDecompressor {
    private let context: OpaquePointer

    init?() {
        guard let ctx = ZSTD_createDCtx() else { return nil }
        context = ctx
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses `src[0..<srcCount]` into `dst`, which has room for exactly `expected` bytes.
    /// Throws unless the data decompresses to exactly `expected` bytes (a page whose header
    /// lies about its uncompressed size is caught here).
    func decompress(_ src: UnsafeRawPointer, count srcCount: Int, into dst: UnsafeMutableRawPointer, expected: Int) throws {
        let declared = ZSTD_getFrameContentSize(src, srcCount)
        // ZSTD_CONTENTSIZE_UNKNOWN = 0 &- 1, ZSTD_CONTENTSIZE_ERROR = 0 &- 2.
        if declared == UInt64.max - 1 {
            throw DecodeFailure("the zstd data of a page is not a zstd frame")
        }
        if declared != UInt64.max && declared != UInt64(expected) && srcCount > 0 {
            // A single frame announcing another size: the page header lies (multi-frame pages
            // are still checked by the total below).
            let frame = ZSTD_findFrameCompressedSize(src, srcCount)
            if ZSTD_isError(frame) == 0 && frame == srcCount {
                throw DecodeFailure("the page header says \(expected) uncompressed bytes but its zstd frame holds \(declared)")
            }
        }
        let n = ZSTD_decompressDCtx(context, dst, expected, src, srcCount)
        if ZSTD_isError(n) != 0 {
            throw DecodeFailure("zstd cannot decompress a page (\(String(cString: ZSTD_getErrorName(n)))); its header says \(expected) uncompressed bytes from \(srcCount)")
        }
        if n != expected {
            throw DecodeFailure("the page header says \(expected) uncompressed bytes but zstd produced \(n)")
        }
    }
}
