import XCTest
@testable import LensCore

/// Protects stages 1-2 on GroupLens' own ml-latest-small (2018): exact counts, reconciliation,
/// split boundaries, and that the folder and the .zip give the same tables.
final class RealDropCleanTests: XCTestCase {
    func cleanAndSplit(_ path: String) throws -> (CleanedDrop, SplitRatings, TemporalSplit.Report) {
        let source = try DropSource.open(path: path)
        let cleaned = try CleanDrop.run(source: source, config: PipelineConfig())
        let (split, report) = TemporalSplit.run(cleaned.ratings, config: PipelineConfig())
        return (cleaned, split, report)
    }

    func testMlLatestSmallFolderCountsAndSplit() throws {
        let (c, split, report) = try cleanAndSplit(try TestPaths.sharedFile("movielens/ml-latest-small"))
        XCTAssertEqual(c.dropDate, "2018-09-26")
        XCTAssertEqual(c.dropDateSource, "README.txt")
        XCTAssertTrue(c.reconciled)
        let byFile = Dictionary(uniqueKeysWithValues: c.reconciliation.map { ($0.file, $0) })
        XCTAssertEqual(byFile["ratings.csv"]?.linesRead, 100_836)
        XCTAssertEqual(byFile["ratings.csv"]?.clean, 100_836)
        XCTAssertEqual(c.movies.count, 9_742)
        XCTAssertEqual(c.movies.oneHot.last!.filter { $0 }.count, 34, "movies with no genres")
        XCTAssertEqual(c.tags.count, 3_683)
        XCTAssertEqual(c.links.count, 9_742)
        XCTAssertEqual(c.links.tmdbPresent.filter { !$0 }.count, 8, "links without tmdbId")
        XCTAssertEqual(c.quarantine.count, 0)
        XCTAssertEqual(c.caps, CapCounts())
        XCTAssertEqual(report.train, 70_585)
        XCTAssertEqual(report.test, 20_167)
        XCTAssertEqual(report.buffer, 10_084)
        XCTAssertEqual(report.batchSizes, [2_016, 2_016, 2_016, 2_016, 2_020])
        XCTAssertTrue(report.noTestOrBufferBeforeLastTrain)
        // The order is (rated_at, user, movie) everywhere.
        for i in 1..<split.rows.count {
            let a = (split.rows.ratedAt[i - 1], split.rows.userId[i - 1], split.rows.movieId[i - 1])
            let b = (split.rows.ratedAt[i], split.rows.userId[i], split.rows.movieId[i])
            XCTAssertTrue(a < b, "row \(i) out of order")
            if !(a < b) { break }
        }
        // Spot checks against the CSV: the first line of ratings.csv is 1,1,4.0,964982703.
        let first = (0..<split.rows.count).first { split.rows.userId[$0] == 1 && split.rows.movieId[$0] == 1 }!
        XCTAssertEqual(split.rows.rating[first], 4.0)
        XCTAssertEqual(split.rows.ratedAt[first], 964_982_703)
        let matrix = c.movies.movieId.firstIndex(of: 2571)!
        XCTAssertEqual(c.movies.title[matrix], "Matrix, The (1999)")
        XCTAssertEqual(c.movies.titleNormalized[matrix], "The Matrix")
        XCTAssertEqual(c.movies.year[matrix], 1999)
        XCTAssertEqual(c.movies.genres[matrix], ["Action", "Sci-Fi", "Thriller"])
        let toyStory = c.links.movieId.firstIndex(of: 1)!
        XCTAssertEqual(c.links.imdbId[toyStory], "0114709")
        XCTAssertEqual(c.links.tmdbId[toyStory], 862)
    }

    func testMlLatestSmallZipEqualsFolder() throws {
        let (a, sa, _) = try cleanAndSplit(try TestPaths.sharedFile("movielens/ml-latest-small"))
        let (b, sb, _) = try cleanAndSplit(try TestPaths.sharedFile("movielens/ml-latest-small.zip"))
        XCTAssertEqual(a.reconciliation, b.reconciliation)
        XCTAssertEqual(a.dropDate, b.dropDate)
        XCTAssertEqual(a.movies.title, b.movies.title)
        XCTAssertEqual(a.tags.tag, b.tags.tag)
        XCTAssertEqual(sa.rows.userId, sb.rows.userId)
        XCTAssertEqual(sa.rows.movieId, sb.rows.movieId)
        XCTAssertEqual(sa.rows.rating, sb.rows.rating)
        XCTAssertEqual(sa.rows.ratedAt, sb.rows.ratedAt)
    }
}
