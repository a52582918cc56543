import XCTest

@testable import LensCore

/// `GenomeScoresTable` keeps the ids of a movie-major, tag-minor grid implicitly and falls back
/// to explicit columns at the first row that breaks it; whatever the input, every row must read
/// back exactly as appended, in the same order, through every accessor.
final class GenomeScoresTableTests: XCTestCase {
    /// One genome score row.
    struct Row: Equatable {
        var movieId: Int32
        var tagId: Int32
        var relevance: Float
    }

    /// A complete grid in file order: each movie of `movies` with every tag of `tags`, in order;
    /// relevances distinct so that a misplaced row shows.
    static func grid(movies: [Int32], tags: [Int32]) -> [Row] {
        var rows: [Row] = []
        for m in movies {
            for t in tags { rows.append(Row(movieId: m, tagId: t, relevance: Float(rows.count) / 1_024)) }
        }
        return rows
    }

    /// Movie ids not contiguous, tag ids not contiguous and not starting at 1.
    static let movies: [Int32] = [3, 10, 11, 250, 7_000]
    static let tags: [Int32] = [5, 6, 9, 40]

    /// Appends `rows` one by one, checks that the table is (or is not) a grid, that every
    /// accessor reads every row back, and that the compacting initializer and `==` agree.
    func assertRoundTrip(_ rows: [Row], grid: Bool, file: StaticString = #filePath, line: UInt = #line) {
        var table = GenomeScoresTable()
        for r in rows { table.append(movieId: r.movieId, tagId: r.tagId, relevance: r.relevance) }
        XCTAssertEqual(table.isGrid, grid, "layout", file: file, line: line)
        assertHolds(table, rows, file: file, line: line)

        let built = GenomeScoresTable(movieId: rows.map(\.movieId), tagId: rows.map(\.tagId), relevance: rows.map(\.relevance))
        XCTAssertEqual(built.isGrid, grid, "layout of init(movieId:tagId:relevance:)", file: file, line: line)
        assertHolds(built, rows, file: file, line: line)
        XCTAssertEqual(built, table, file: file, line: line)
    }

    /// Every way of reading `table` gives `rows`.
    func assertHolds(_ table: GenomeScoresTable, _ rows: [Row], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(table.count, rows.count, "count", file: file, line: line)
        XCTAssertEqual(table.relevance, rows.map(\.relevance), "relevance", file: file, line: line)
        let byIndex = (0..<table.count).map { Row(movieId: table.movieId(at: $0), tagId: table.tagId(at: $0), relevance: table.relevance[$0]) }
        XCTAssertEqual(byIndex, rows, "movieId(at:), tagId(at:)", file: file, line: line)
        var walked: [Row] = []
        table.forEachRow { walked.append(Row(movieId: $0, tagId: $1, relevance: $2)) }
        XCTAssertEqual(walked, rows, "forEachRow", file: file, line: line)
        let all = table.idColumns(in: 0..<table.count)
        XCTAssertEqual(all.movieId, rows.map(\.movieId), "idColumns movieId", file: file, line: line)
        XCTAssertEqual(all.tagId, rows.map(\.tagId), "idColumns tagId", file: file, line: line)
        // Every range of 3 rows at every offset, and the empty range at each end: the row-group
        // slices start anywhere in a block.
        for start in 0..<rows.count {
            let range = start..<min(start + 3, rows.count)
            let part = table.idColumns(in: range)
            XCTAssertEqual(part.movieId, rows[range].map(\.movieId), "idColumns(in: \(range))", file: file, line: line)
            XCTAssertEqual(part.tagId, rows[range].map(\.tagId), "idColumns(in: \(range))", file: file, line: line)
        }
        XCTAssertEqual(table.idColumns(in: rows.count..<rows.count).movieId, [], file: file, line: line)
    }

    // MARK: - Grids

    /// Protects the common case: a complete grid is stored as a grid (one movie id per block, the
    /// tag cycle once) and reads back row for row.
    func testCompleteGridRoundTripsAsAGrid() {
        let rows = Self.grid(movies: Self.movies, tags: Self.tags)
        assertRoundTrip(rows, grid: true)
        var table = GenomeScoresTable()
        for r in rows { table.append(movieId: r.movieId, tagId: r.tagId, relevance: r.relevance) }
        guard case .grid(let blockMovieIds, let tagCycle) = table.ids else { return XCTFail("not a grid") }
        XCTAssertEqual(blockMovieIds, Self.movies)
        XCTAssertEqual(tagCycle, Self.tags)
    }

    /// Protects the partial last block: a genome cut after some tags of its last movie is still
    /// a grid, and the missing tail is not invented.
    func testPartialLastBlockRoundTripsAsAGrid() {
        let rows = Self.grid(movies: Self.movies, tags: Self.tags)
        for cut in 1..<Self.tags.count { assertRoundTrip(Array(rows.dropLast(cut)), grid: true) }
    }

    /// Protects the degenerate grids: one movie (the cycle is every row), one tag (every row is
    /// a block), one row, and no row at all.
    func testSingleMovieSingleTagSingleRowAndEmptyRoundTrip() {
        assertRoundTrip(Self.grid(movies: [42], tags: Self.tags), grid: true)
        assertRoundTrip(Self.grid(movies: Self.movies, tags: [8]), grid: true)
        assertRoundTrip(Self.grid(movies: [42], tags: [8]), grid: true)
        assertRoundTrip([], grid: true)
        XCTAssertEqual(GenomeScoresTable().count, 0)
        XCTAssertEqual(GenomeScoresTable(), GenomeScoresTable(movieId: [], tagId: [], relevance: []))
    }

    /// Protects losslessness where the formula still holds though the genome is odd: a movie's
    /// block repeated in full, a tag twice in the first block. (The PCA reports such duplicates.)
    func testRepeatedBlockAndRepeatedTagStayLosslessGrids() {
        var rows = Self.grid(movies: Self.movies, tags: Self.tags)
        rows.insert(contentsOf: rows[4..<8].map { Row(movieId: $0.movieId, tagId: $0.tagId, relevance: $0.relevance + 1) }, at: 8)
        assertRoundTrip(rows, grid: true)
        assertRoundTrip(Self.grid(movies: Self.movies, tags: [5, 6, 5]), grid: true)
    }

    // MARK: - Breaks

    /// Protects the fallback for a missing cell, wherever it is: first row of a block, middle of
    /// a block, last row of a block, the first tag of the second block (which fixes the cycle).
    func testMissingCellBreaksTheGridLosslessly() {
        let rows = Self.grid(movies: Self.movies, tags: Self.tags)
        for hole in [4, 6, 7, 9, 13, 17] {
            var r = rows
            r.remove(at: hole)
            assertRoundTrip(r, grid: false)
        }
    }

    /// Protects the fallback for two tags swapped within a later block.
    func testSwappedTagBreaksTheGridLosslessly() {
        var rows = Self.grid(movies: Self.movies, tags: Self.tags)
        rows.swapAt(9, 10)
        assertRoundTrip(rows, grid: false)
    }

    /// Protects the fallback for a movie that goes on after its block is complete (an extra row
    /// of the same movie), and for a movie's rows split around another movie's.
    func testRepeatedMovieBreaksTheGridLosslessly() {
        var rows = Self.grid(movies: Self.movies, tags: Self.tags)
        rows.insert(Row(movieId: 10, tagId: 5, relevance: 0.5), at: 8)
        assertRoundTrip(rows, grid: false)
        var split = Self.grid(movies: Self.movies, tags: Self.tags)
        split.swapAt(5, 9)
        split.swapAt(6, 10)
        assertRoundTrip(split, grid: false)
    }

    /// Protects the fallback for shuffled rows, and for a table that breaks on its last row (the
    /// whole grid materialized then).
    func testShuffledRowsAndLastRowBreakRoundTrip() {
        var rows = Self.grid(movies: Self.movies, tags: Self.tags)
        var state: UInt64 = 99
        for i in stride(from: rows.count - 1, to: 0, by: -1) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            rows.swapAt(i, Int(state >> 33) % (i + 1))
        }
        assertRoundTrip(rows, grid: false)
        var last = Self.grid(movies: Self.movies, tags: Self.tags)
        last.append(Row(movieId: 9_999, tagId: 6, relevance: 1))
        assertRoundTrip(last, grid: false)
    }

    /// Protects losslessness on many random near-grids (a few cells dropped, duplicated or
    /// moved), against the rows as appended.
    func testRandomPerturbationsOfGridsRoundTrip() {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % n
        }
        for _ in 0..<200 {
            let movies = (0..<(1 + next(6))).map { Int32(1 + 3 * $0) }
            let tags = (0..<(1 + next(5))).map { Int32(2 + $0) }
            var rows = Self.grid(movies: movies, tags: tags)
            for _ in 0..<next(3) where !rows.isEmpty {
                let i = next(rows.count)
                switch next(3) {
                case 0: rows.remove(at: i)
                case 1: rows.insert(rows[i], at: next(rows.count + 1))
                default: rows.swapAt(i, next(rows.count))
                }
            }
            var table = GenomeScoresTable()
            for r in rows { table.append(movieId: r.movieId, tagId: r.tagId, relevance: r.relevance) }
            assertHolds(table, rows)
            XCTAssertEqual(GenomeScoresTable(movieId: rows.map(\.movieId), tagId: rows.map(\.tagId), relevance: rows.map(\.relevance)), table)
        }
    }

    /// Protects `==`: the same rows are equal, one changed id or relevance is not.
    func testEqualityComparesRowsNotLayouts() {
        let rows = Self.grid(movies: Self.movies, tags: Self.tags)
        let a = GenomeScoresTable(movieId: rows.map(\.movieId), tagId: rows.map(\.tagId), relevance: rows.map(\.relevance))
        var tags = rows.map(\.tagId)
        tags[6] = 77
        let b = GenomeScoresTable(movieId: rows.map(\.movieId), tagId: tags, relevance: rows.map(\.relevance))
        XCTAssertTrue(a.isGrid)
        XCTAssertFalse(b.isGrid)
        XCTAssertNotEqual(a, b)
        XCTAssertNotEqual(b, a)
        var relevance = rows.map(\.relevance)
        relevance[3] += 1
        XCTAssertNotEqual(a, GenomeScoresTable(movieId: rows.map(\.movieId), tagId: rows.map(\.tagId), relevance: relevance))
        var movies = rows.map(\.movieId)
        movies[12] = 12
        XCTAssertNotEqual(a, GenomeScoresTable(movieId: movies, tagId: rows.map(\.tagId), relevance: rows.map(\.relevance)))
    }
}
