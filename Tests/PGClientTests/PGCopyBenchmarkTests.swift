import Foundation
import PGClient
import XCTest
import LensTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds used by this thread (the machine may be shared: wall time alone misleads).
private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Throughput of the hot path (ratings: int32, int32, float4, timestamptz, text, int16-or-null).
/// Opt-in (skipped unless LENS_BENCH=1, the switch of every benchmark); run in release mode:
///
///     LENS_BENCH=1 swift test -c release --filter PGCopyBenchmarkTests
///
/// (PGCLIENT_TEST_CONNINFO=... points the COPY at another server, e.g. lens's private cluster.)
final class PGCopyBenchmarkTests: XCTestCase {
    override func setUpWithError() throws {
        try Skip.unlessBenchmark()
    }

    private static let tags = ["", "funny", "sci-fi", "Amélie", "based on a book", "dark comedy"]

    @inline(__always)
    private static func encodeRating(_ enc: inout PGBinaryCopyEncoder, _ i: Int) {
        enc.beginRow(fieldCount: 6)
        enc.int32(Int32(truncatingIfNeeded: i / 100 + 1))
        enc.int32(Int32(truncatingIfNeeded: (i &* 7919) % 60_000 + 1))
        enc.float4(Float(i % 10 + 1) * 0.5)
        enc.timestamptz(epochMicros: 1_000_000_000_000_000 + Int64(i) * 1_000_000)
        enc.text(tags[i % tags.count])
        if i & 1 == 0 { enc.int16(Int16(truncatingIfNeeded: i % 1000)) } else { enc.null() }
    }

    /// Protects the encoder's speed and output: 25M rating rows encode to exactly the bytes the
    /// binary COPY format defines (19-byte header, per row 2 + 4+4 + 4+4 + 4+4 + 4+8 + 4+len(tag)
    /// + 4 (+2 when n is not null), 2-byte trailer), at a nonzero rate.
    func testEncode25MRatingRows() {
        let n = 25_000_000
        var enc = PGBinaryCopyEncoder()
        var bytes = 0
        let cpu = threadCPUSeconds()
        let start = Date()
        enc.header()
        for i in 0..<n {
            PGCopyBenchmarkTests.encodeRating(&enc, i)
            if enc.count > 1 << 20 {
                bytes += enc.count
                enc.reset()
            }
        }
        enc.trailer()
        bytes += enc.count
        let seconds = Date().timeIntervalSince(start)
        let cpuSeconds = threadCPUSeconds() - cpu
        var expected = 19 + 2
        for i in 0..<Self.tags.count { expected += (n / Self.tags.count + (i < n % Self.tags.count ? 1 : 0)) * Self.tags[i].utf8.count }
        expected += n * (2 + 8 + 8 + 8 + 12 + 4 + 4) + (n + 1) / 2 * 2
        XCTAssertEqual(bytes, expected, "the encoded size of \(n) rows")
        XCTAssertGreaterThan(cpuSeconds, 0)
        XCTAssertGreaterThan(Double(n) / max(seconds, 1e-9), 0)
        print(String(format: "LENS_BENCH encode: %d rows, %.0f MB in %.3f s wall, %.3f s CPU = %.1f M rows/s (CPU)",
                     n, Double(bytes) / 1e6, seconds, cpuSeconds, Double(n) / cpuSeconds / 1e6))
    }

    /// Protects a real binary COPY of 5M rating rows through libpq (table created in the loading
    /// transaction, as the warehouse loader does, so wal_level=minimal skips WAL).
    func testCopy5MRatingRows() throws {
        let n = 5_000_000
        let conn = try PGConnection(conninfo: TestServer.conninfo())
        defer { conn.close() }
        try conn.execute("DROP TABLE IF EXISTS bench_ratings")
        try conn.execute("""
            BEGIN;
            CREATE TABLE bench_ratings (user_id int4, movie_id int4, rating float4, rated_at timestamptz,
                                        tag text, n int2);
            """)
        let start = Date()
        let cpu = threadCPUSeconds()
        var enc = PGBinaryCopyEncoder()
        let rows = try conn.copyIn("COPY bench_ratings FROM STDIN (FORMAT binary)") { w in
            enc.header()
            for i in 0..<n {
                PGCopyBenchmarkTests.encodeRating(&enc, i)
                if enc.count > 1 << 20 { try w.flush(&enc) }
            }
            enc.trailer()
            try w.flush(&enc)
        }
        try conn.execute("COMMIT")
        let seconds = Date().timeIntervalSince(start)
        let clientCPU = threadCPUSeconds() - cpu
        XCTAssertEqual(rows, n)
        XCTAssertEqual(try conn.query("SELECT count(*), count(n) FROM bench_ratings").rows,
                       [[String(n), String(n / 2)]])
        XCTAssertGreaterThan(seconds, 0)
        print(String(format: "LENS_BENCH copy: %d rows in %.2f s = %.2f M rows/s (client CPU %.2f s, server %d)",
                     n, seconds, Double(n) / seconds / 1e6, clientCPU, conn.serverVersion))
        try conn.execute("DROP TABLE bench_ratings")
    }
}
