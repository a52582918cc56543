import XCTest
@testable import LensCore

/// The order of the rows inside the ratings Parquet files (docs/pipeline.md, Stage 4): (user_id,
/// movie_id) within train and test, (batch, user_id, movie_id) within the buffer, whatever the
/// split's time order in memory, a row group at a time.
final class RatingsFileOrderTests: XCTestCase {
    /// Ten ratings in the split's time order (rated_at 1000 ... 1009): train the first six, test
    /// the next two, then two buffer batches of one row each. Users and movies are chosen so that
    /// the (user, movie) order differs from the time order everywhere, and buffer batch 2's row
    /// comes before batch 1's in (user, movie) order.
    private func split() -> SplitRatings {
        var r = RatingsTable()
        r.userId = [5, 1, 3, 1, 2, 5, 4, 2, 9, 1]
        r.movieId = [10, 30, 10, 20, 10, 5, 7, 8, 1, 99]
        r.rating = [1, 2, 3, 4, 5, 0.5, 1.5, 2.5, 3.5, 4.5]
        r.ratedAt = EpochSecondsColumn(base: 1000, offsets: (0..<10).map { UInt32($0) })
        r.sourceLine = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
        var s = SplitRatings(rows: r, trainCount: 6, testCount: 2, batchCount: 2, batchSize: 1)
        s.userMovieOrder = TemporalSplit.userMovieOrder(of: r)
        return s
    }

    private func groups(_ part: Range<Int>, rowGroupRows: Int) throws -> [[UInt32]] {
        let s = split()
        var out: [[UInt32]] = []
        try RatingsFileOrder.forEachRowGroup(of: part, in: s, userMovieOrder: s.userMovieOrder!, rowGroupRows: rowGroupRows) {
            out.append($0)
        }
        return out
    }

    /// Train rows come in (user, movie) order, cut into row groups of at most rowGroupRows: users
    /// 1 (movies 20, 30), 2, 3, 5 (movies 5, 10) are positions 3, 1, 4, 2, 5, 0.
    func testTrainAndTestAreInUserMovieOrderByRowGroup() throws {
        XCTAssertEqual(try groups(0..<6, rowGroupRows: 4), [[3, 1, 4, 2], [5, 0]])
        XCTAssertEqual(try groups(6..<8, rowGroupRows: 4), [[7, 6]])
        XCTAssertEqual(try groups(0..<6, rowGroupRows: 100), [[3, 1, 4, 2, 5, 0]])
    }

    /// The buffer is grouped by batch first: batch 1 (position 8, user 9) before batch 2
    /// (position 9, user 1), although user 1 sorts first.
    func testBufferIsGroupedByBatchFirst() throws {
        XCTAssertEqual(try groups(8..<10, rowGroupRows: 4), [[8, 9]])
        XCTAssertEqual(try groups(8..<10, rowGroupRows: 1), [[8], [9]])
    }

    /// The gathered columns are the rows' own values, times in microseconds, line numbers kept
    /// (or 0 when the table has none).
    func testGatherTakesEachRowsValues() {
        let r = split().rows
        let g = RatingsFileOrder.gather(r, [3, 0, 9], hasLines: true)
        XCTAssertEqual(g.userId, [1, 5, 1])
        XCTAssertEqual(g.movieId, [20, 10, 99])
        XCTAssertEqual(g.rating, [4, 1, 4.5])
        XCTAssertEqual(g.ratedAtMicros, [1_003_000_000, 1_000_000_000, 1_009_000_000])
        XCTAssertEqual(g.sourceLine, [14, 11, 20])
        XCTAssertEqual(RatingsFileOrder.gather(r, [3, 0], hasLines: false).sourceLine, [0, 0])
    }

    /// `lens load DIR` puts the rows of the files back in the split's time order: from the files'
    /// order (runs per split and per buffer batch, each sorted by time alone) and from the time
    /// order older exports wrote (each run sorted in full).
    func testTheImportPutsFileOrderBackInTimeOrder() throws {
        let s = split()
        let fileOrder = try groups(0..<6, rowGroupRows: 100)[0] + groups(6..<8, rowGroupRows: 100)[0] + groups(8..<10, rowGroupRows: 100)[0]
        let parts: [UInt8] = [0, 0, 0, 0, 0, 0, 1, 1, 2, 2]
        let batches: [Int8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
        for order in [fileOrder, (0..<10).map { UInt32($0) }] {
            var file = RatingsTable()
            file.userId = order.map { s.rows.userId[Int($0)] }
            file.movieId = order.map { s.rows.movieId[Int($0)] }
            file.ratedAt = EpochSecondsColumn(base: 1000, offsets: order.map { s.rows.ratedAt.offsets[Int($0)] })
            let runs = ParquetImport.fileRuns(split: order.map { parts[Int($0)] }, batches: order.map { batches[Int($0)] })
            XCTAssertEqual(runs, [0..<6, 6..<8, 8..<9, 9..<10])
            let perm = ParquetImport.timeOrder(file, runs: runs)
            XCTAssertEqual(perm.map { file.userId[Int($0)] }, s.rows.userId)
            XCTAssertEqual(perm.map { file.movieId[Int($0)] }, s.rows.movieId)
        }
    }
}
