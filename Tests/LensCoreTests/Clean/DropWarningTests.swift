import XCTest
@testable import LensCore

/// Protects the stage-1 warnings (`CleanedDrop.warnings`): a missing optional file, a last line
/// without a newline and dropped empty columns are reported with the file and counts, in reading
/// order, and a complete drop reports none.
final class DropWarningTests: XCTestCase {
    func makeDrop(_ files: [String: String]) -> String {
        let dir = TestPaths.tempDir("warn")
        for (name, text) in files {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)), "could not create \(dir + "/" + name)")
        }
        return dir
    }

    func clean(_ files: [String: String]) throws -> CleanedDrop {
        var config = PipelineConfig()
        config.dropDate = "2018-09-26"
        return try CleanDrop.run(source: try DropSource.open(path: makeDrop(files)), config: config)
    }

    let movies = "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,\"Matrix, The (1999)\",Action|Sci-Fi\n"
    let ratings = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964982704\n"

    /// The shipped sample (every file, each ending in a newline) and a drop without a genome
    /// (as ml-latest-small) warn of nothing.
    func testCompleteDropsWarnOfNothing() throws {
        let sample = try CleanDrop.run(source: try DropSource.open(path: TestPaths.repo + "/data/sample"), config: PipelineConfig())
        XCTAssertEqual(sample.warnings, [])
        let noGenome = try clean(["movies.csv": movies, "ratings.csv": ratings,
                                  "tags.csv": "userId,movieId,tag,timestamp\n1,1,funny,1445714994\n",
                                  "links.csv": "movieId,imdbId,tmdbId\n1,0114709,862\n"])
        XCTAssertEqual(noGenome.warnings, [])
    }

    /// The GroupLens drops as published (ml-latest-small as a folder and as its zip, which has
    /// no genome; ml-100k) warn of nothing and quarantine no NUL. Skips when ../shared lacks them.
    func testPublishedDropsWarnOfNothing() throws {
        for drop in ["movielens/ml-latest-small", "movielens/ml-latest-small.zip", "movielens/ml-100k"] {
            let c = try CleanDrop.run(source: try DropSource.open(path: try TestPaths.sharedFile(drop)), config: PipelineConfig())
            XCTAssertEqual(c.warnings, [], drop)
            XCTAssertEqual(c.quarantine.filter { $0.reason == .nulByte || $0.reason == .trailingValue }.count, 0, drop)
            XCTAssertTrue(c.reconciled, drop)
        }
    }

    /// tags.csv and links.csv absent: one warning each, the tables empty, the run goes on.
    func testMissingTagsAndLinksAreWarnedOf() throws {
        let c = try clean(["movies.csv": movies, "ratings.csv": ratings])
        XCTAssertEqual(c.warnings, [
            DropWarning(kind: .missingOptionalFile, file: "links.csv", message: "links.csv: the drop has no links.csv, so the links table is empty"),
            DropWarning(kind: .missingOptionalFile, file: "tags.csv", message: "tags.csv: the drop has no tags.csv, so the tags table is empty"),
        ])
        XCTAssertEqual(c.tags.count, 0)
        XCTAssertEqual(c.links.count, 0)
        XCTAssertEqual(c.ratings.count, 2)
    }

    /// One genome file without the other: the genome is skipped and the absent file named.
    func testHalfAGenomeIsWarnedOf() throws {
        for (present, missing) in [("genome-tags.csv", "genome-scores.csv"), ("genome-scores.csv", "genome-tags.csv")] {
            let c = try clean(["movies.csv": movies, "ratings.csv": ratings,
                               "tags.csv": "userId,movieId,tag,timestamp\n", "links.csv": "movieId,imdbId,tmdbId\n",
                               present: present == "genome-tags.csv" ? "tagId,tag\n1,007\n" : "movieId,tagId,relevance\n1,1,0.5\n"])
            XCTAssertEqual(c.warnings, [DropWarning(
                kind: .missingOptionalFile, file: missing,
                message: "\(missing): the drop has \(present) but no \(missing), so the tag genome was skipped (\(present) was not read)")])
            XCTAssertNil(c.genomeTags)
            XCTAssertNil(c.genomeScores)
        }
    }

    /// A last line without a newline is read and warned of with its line number, per file, in
    /// reading order (movies, links, tags, ratings, genome), whichever lane read it first; a last
    /// line cut inside the timestamp is accepted (time as given), so the warning is all there is.
    func testLastLineWithoutNewlineIsReadAndWarnedOf() throws {
        let c = try clean([
            "movies.csv": String(movies.dropLast()),
            "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,96498",
            "tags.csv": "userId,movieId,tag,timestamp\n1,1,funny,1445714994",
            "links.csv": "movieId,imdbId,tmdbId\n1,0114709,862\n",
            "genome-tags.csv": "tagId,tag\n1,007",
            "genome-scores.csv": "movieId,tagId,relevance\n1,1,0.5\n2,1,0.25",
        ])
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(c.quarantine, [])
        XCTAssertEqual(c.warnings.map(\.kind), Array(repeating: .noFinalNewline, count: 5))
        XCTAssertEqual(c.warnings.map(\.message), [
            "movies.csv: line 3, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete",
            "tags.csv: line 2, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete",
            "ratings.csv: line 3, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete",
            "genome-tags.csv: line 2, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete",
            "genome-scores.csv: line 3, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete",
        ])
        XCTAssertEqual([c.movies.count, c.ratings.count, c.tags.count, c.genomeTags?.count, c.genomeScores?.count], [2, 2, 1, 1, 2])
    }

    /// The older layouts warn of a missing final newline too (ml-1m `ratings.dat`).
    func testOlderLayoutLastLineWithoutNewlineIsWarnedOf() throws {
        var config = PipelineConfig()
        config.dropDate = "2003-03-01"
        let dir = makeDrop(["movies.dat": "1::Toy Story (1995)::Animation|Children's|Comedy\n",
                            "ratings.dat": "1::1::5::978300760\n2::1::3::978302109",
                            "users.dat": "1::F::1::10::48067\n2::M::56::16::70072\n"])
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
        XCTAssertEqual(c.warnings, [DropWarning(
            kind: .noFinalNewline, file: "ratings.dat",
            message: "ratings.dat: line 2, the last, has no final newline; it was read as it stands, but a file cut short looks the same, so check that the file is complete")])
        XCTAssertEqual(c.ratings.count, 2)
    }

    /// The warnings encode with the kind's user-facing string, as the run summary and catalog
    /// store them.
    func testWarningEncodesWithTheKindString() throws {
        let w = DropWarning(kind: .trailingEmptyColumnsDropped, file: "ratings.csv", message: "m")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(String(decoding: try encoder.encode(w), as: UTF8.self),
                       #"{"file":"ratings.csv","kind":"trailing_empty_columns_dropped","message":"m"}"#)
        XCTAssertEqual(try JSONDecoder().decode(DropWarning.self, from: try encoder.encode(w)), w)
    }
}
