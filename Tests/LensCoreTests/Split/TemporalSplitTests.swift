import XCTest
@testable import LensCore

/// Protects stage 2: the sort order (rated_at, user, movie), the floor arithmetic of the sizes,
/// the batch numbering (last batch takes the remainder) and the radix sort's stability.
final class TemporalSplitTests: XCTestCase {
    func testSizesFollowTheContract() {
        let s = TemporalSplit.sizes(n: 100_836, trainNumerator: 70_000, testNumerator: 20_000, denominator: 100_000, batches: 5)
        XCTAssertEqual(s.train, 70_585)
        XCTAssertEqual(s.test, 20_167)
        XCTAssertEqual(s.buffer, 10_084)
        XCTAssertEqual(s.batchSize, 2_016)
    }

    func testOrderAndBatches() {
        var r = RatingsTable()
        // (user, movie, time): ties on time broken by user, then movie.
        let rows: [(Int32, Int32, Int64)] = [(3, 1, 50), (1, 9, 50), (1, 2, 50), (2, 1, 10), (9, 9, 99), (4, 4, 70),
                                             (5, 5, 80), (6, 6, 90), (7, 7, 95), (8, 8, 96)]
        for (u, m, t) in rows {
            r.userId.append(u)
            r.movieId.append(m)
            r.rating.append(3)
            r.ratedAt.append(t)
        }
        var c = PipelineConfig()
        c.bufferBatches = 2
        let (split, report) = TemporalSplit.run(r, config: c)
        XCTAssertEqual(split.rows.userId, [2, 1, 1, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(split.rows.movieId, [1, 2, 9, 1, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(report.train, 7)
        XCTAssertEqual(report.test, 2)
        XCTAssertEqual(report.buffer, 1)
        XCTAssertEqual(report.batchSizes, [1, 0])  // floor(1/2) = 0, so batches of 1: the only row is batch 1
        XCTAssertTrue(report.noTestOrBufferBeforeLastTrain)
    }

    func testRadixPermutationIsStableAndOrdersBothKeys() {
        let primary: [UInt64] = [5, 1, 5, 1 << 40, 0, 5]
        let secondary: [UInt32] = [2, 7, 1, 0, 9, 2]
        XCTAssertEqual(RadixSort.permutation(primary: primary, secondary: secondary), [4, 1, 2, 0, 5, 3])
        XCTAssertEqual(RadixSort.permutation(primary: [3, 3, 3]), [0, 1, 2])
    }

    /// Protects both paths of the split's sort: rows in (user, movie) order (time passes only)
    /// and rows in any order (movie, user and time passes) give exactly a comparison sort's order
    /// on (rated_at, user, movie), with ids spanning more than one radix digit.
    func testTimeOrderEqualsAComparisonSortOnOrderedAndShuffledRows() throws {
        var rng = SystemRandomNumberGenerator()
        var rows: [(Int32, Int32, Int64)] = []
        for u in 0..<300 {
            for m in Set((0..<Int.random(in: 1...40, using: &rng)).map { _ in Int32.random(in: 0..<200_000, using: &rng) }) {
                // few distinct times, so ties on time (and on time and user) are common
                rows.append((Int32(u * 7919), m, 900_000_000 + Int64.random(in: 0..<50, using: &rng) * 86_400))
            }
        }
        let expected = rows.sorted { ($0.2, $0.0, $0.1) < ($1.2, $1.0, $1.1) }
        for shuffled in [false, true] {
            var input = rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            if shuffled { input.shuffle(using: &rng) }
            var r = RatingsTable()
            for (u, m, t) in input {
                r.userId.append(u)
                r.movieId.append(m)
                r.rating.append(3)
                r.ratedAt.append(t)
            }
            XCTAssertEqual(r.isOrderedByUserThenMovie, !shuffled)
            let (split, _) = TemporalSplit.run(r, config: PipelineConfig())
            XCTAssertEqual(split.rows.userId, expected.map(\.0), "shuffled: \(shuffled)")
            XCTAssertEqual(split.rows.movieId, expected.map(\.1), "shuffled: \(shuffled)")
            XCTAssertEqual(Array(split.rows.ratedAt), expected.map(\.2), "shuffled: \(shuffled)")
            // The order the warehouse COPYs in: every split position once, in (user, movie) order,
            // whether the split learnt it from ordered input or from its id passes, and the same
            // as the loader's own sort for ratings read back from Parquet.
            let order = try XCTUnwrap(split.userMovieOrder)
            XCTAssertEqual(Set(order).count, split.rows.count)
            let byKey = order.map { (split.rows.userId[Int($0)], split.rows.movieId[Int($0)]) }
            XCTAssertEqual(byKey.map(\.0), rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.0))
            XCTAssertEqual(byKey.map(\.1), rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1))
            XCTAssertEqual(TemporalSplit.userMovieOrder(of: split.rows), order)
        }
    }

    /// Protects the split's memory-lean time sort on every path: one time for all rows, a few
    /// bits (top-level buckets only), small buckets (insertion sort), large ones (one and two
    /// radix passes of the remaining bits), one and two threads, each equal to a stable
    /// comparison sort.
    func testTimeBucketOrderIsAStableSortByTime() {
        var rng = SystemRandomNumberGenerator()
        for span in [UInt32(0), 7, 5_000, 1 << 20, 1 << 23, UInt32.max - 1_000] {
            for n in [1, 2, 31, 33, 5_000, 60_000, 150_001] {  // the last one takes the two-thread path
                let base: UInt32 = span > 0 ? 1_000 : 0  // offsets need not start at 0
                var times = (0..<n).map { _ in base + UInt32.random(in: 0...span, using: &rng) }
                if span > 0 { times[0] = base; times[n - 1] = base + span }
                let perm = times.withUnsafeBufferPointer {
                    TimeBucketOrder.permutation($0, span: times.min()!...times.max()!)
                }
                let expected = (0..<n).sorted { (times[$0], $0) < (times[$1], $1) }
                XCTAssertEqual(perm.map(Int.init), expected, "span \(span), n \(n)")
            }
        }
    }
}
