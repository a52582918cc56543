import XCTest
@testable import LensCore

/// Protects the bad-input rules: fatal problems name the file and line and say what to do;
/// row problems (bad quotes, invalid UTF-8, empty tags, BOM/CRLF/no final newline) are
/// quarantined or handled and the run goes on.
final class BadInputTests: XCTestCase {
    func makeDrop(_ files: [String: String]) -> String {
        let dir = TestPaths.tempDir("bad")
        for (name, text) in files {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)), "could not create \(dir + "/" + name)")
        }
        return dir
    }

    let movies = "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,\"Matrix, The (1999)\",Action|Sci-Fi\n"

    func testMissingRatingsFileIsFatalAndNamed() throws {
        let dir = makeDrop(["movies.csv": movies])
        XCTAssertThrowsError(try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())) {
            XCTAssertEqual("\($0)", "\(dir)/ratings.csv: error: the drop has no ratings.csv (is this a MovieLens CSV-layout drop? expected movies.csv, ratings.csv, tags.csv, links.csv)")
        }
    }

    func testRenamedHeaderIsFatalAtLineOne() throws {
        let dir = makeDrop(["movies.csv": movies, "ratings.csv": "userId,itemId,rating,timestamp\n1,1,4,964982703\n"])
        XCTAssertThrowsError(try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())) {
            XCTAssertEqual("\($0)", "\(dir)/ratings.csv:1: error: unexpected header \"userId,itemId,rating,timestamp\"; expected \"userId,movieId,rating,timestamp\" (a renamed or reordered column cannot be read safely)")
        }
    }

    func testBomCrlfAndMissingFinalNewlineAreRead() throws {
        let dir = makeDrop([
            "movies.csv": "\u{FEFF}movieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n2,\"Matrix, The (1999)\",Action",
            "ratings.csv": "\u{FEFF}userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,2,5.0,964982704",
        ])
        var config = PipelineConfig()
        config.dropDate = "2018-09-26"
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
        XCTAssertEqual(c.movies.count, 2)
        XCTAssertEqual(c.movies.titleNormalized, ["Toy Story", "The Matrix"])
        XCTAssertEqual(c.ratings.count, 2)
        XCTAssertEqual(Set(c.filesWithBOM), ["movies.csv", "ratings.csv"])
        XCTAssertTrue(c.reconciled)
    }

    func testRowProblemsAreQuarantinedWithLineAndReason() throws {
        var bytes = Array("movieId,title,genres\n1,Toy Story (1995),Comedy\n2,\"Unterminated (1999),Drama\n3,Bad".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(" Bytes (2001),Drama\n4,\"Fine, A (2002)\",Drama|Made-Up\n1,Toy Story again (1995),Comedy\n".utf8)
        let dir = makeDrop([
            "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,99,4.0,964982703\n1,4,7.5,964982703\n1,4,2.25,964982704\n",
            "tags.csv": "userId,movieId,tag,timestamp\n1,1,  ,1445714994\n1,1,Funny ,1445714994\n",
        ])
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/movies.csv", contents: Data(bytes)), "could not create \(dir + "/movies.csv")")
        var config = PipelineConfig()
        config.dropDate = "2018-09-26"
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
        XCTAssertTrue(c.reconciled)
        let q = c.quarantine.map { "\($0.file):\($0.line) \($0.reason.rawValue)" }
        XCTAssertEqual(q, ["movies.csv:3 bad_quote", "movies.csv:4 invalid_utf8", "ratings.csv:3 orphan", "tags.csv:2 empty_tag"])
        XCTAssertEqual(c.reconciliation.first { $0.file == "movies.csv" }?.duplicates, 1)
        XCTAssertEqual(c.unknownGenres, ["Made-Up": 1])
        XCTAssertEqual(c.movies.genres[c.movies.movieId.firstIndex(of: 4)!], ["Drama", "Made-Up"])
        XCTAssertEqual(c.movies.titleNormalized[c.movies.movieId.firstIndex(of: 4)!], "A Fine")
        // movie 4 rated twice: the later one (2.25, capped to the half-star grid: 2.5) wins.
        let r = c.reconciliation.first { $0.file == "ratings.csv" }!
        XCTAssertEqual(r.superseded, 1)
        XCTAssertEqual(c.ratings.rating, [4.0, 2.5])
        XCTAssertEqual(c.caps.ratingOffGrid, 1)
        XCTAssertEqual(c.caps.ratingOutOfRange, 0, "the capped 7.5 row was superseded")
        XCTAssertEqual(c.tags.tag, ["Funny"])
        XCTAssertEqual(c.tags.tagNormalized, ["funny"])
    }

    /// Protects dedup and time capping now that the table keeps capped times only (32-bit
    /// offsets into the window): times as given decide duplicate vs superseded, the capped time
    /// picks the winner, and the cap counts cover the rows kept, for ordered and unordered files.
    func testTimeCapsAndDedupUseTheTimesAsGiven() throws {
        // drop date 2018-09-26: the window is 1995-01-01 (788918400) .. 2018-09-27 (1538006400)
        let rows = [
            "1,1,4.0,100",          // below the window: capped to 788918400
            "1,1,4.0,200",          // below too, same capped time, other time as given: superseded; wins (later line)
            "1,2,3.0,2000000000",   // above: capped to 1538006400, kept
            "2,1,5.0,964982703",    // in the window
            "2,1,5.0,964982703",    // exact duplicate
            "2,2,1.0,99",           // below, superseded by the next (capped times tie: the later line wins)
            "2,2,2.0,1",            // below, kept
        ]
        for ordered in [true, false] {
            let body = ordered ? rows : rows.reversed()
            let dir = makeDrop(["movies.csv": movies, "ratings.csv": "userId,movieId,rating,timestamp\n" + body.joined(separator: "\n") + "\n"])
            var config = PipelineConfig()
            config.dropDate = "2018-09-26"
            let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
            XCTAssertTrue(c.reconciled)
            let r = c.reconciliation.first { $0.file == "ratings.csv" }!
            XCTAssertEqual([r.clean, r.duplicates, r.superseded], [4, 1, 2], "ordered: \(ordered)")
            var kept: [String: (Float, Int64)] = [:]
            for i in 0..<c.ratings.count { kept["\(c.ratings.userId[i]),\(c.ratings.movieId[i])"] = (c.ratings.rating[i], c.ratings.ratedAt[i]) }
            // the later line wins each tie: in the reversed file, that is the other row
            XCTAssertEqual(kept["1,1"]?.1, 788_918_400)
            XCTAssertEqual(kept["1,2"]?.1, 1_538_006_400)
            XCTAssertEqual(kept["2,1"]?.1, 964_982_703)
            XCTAssertEqual(kept["2,2"]?.0, ordered ? 2.0 : 1.0)
            XCTAssertEqual(kept["2,2"]?.1, 788_918_400)
            XCTAssertEqual(c.caps.ratedAtBelow, 2, "(1,1) and (2,2) kept below the window, ordered: \(ordered)")
            XCTAssertEqual(c.caps.ratedAtAbove, 1)
        }
    }

    /// Protects the 32-bit time column: a window that runs backwards or over 136 years is a
    /// config error naming the settings to fix, not a crash.
    func testTimeWindowOutOfRangeIsAConfigError() throws {
        let dir = makeDrop(["movies.csv": movies, "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n"])
        for date in ["1990-01-01", "2200-01-01"] {
            var config = PipelineConfig()
            config.dropDate = date
            XCTAssertThrowsError(try CleanDrop.run(source: try DropSource.open(path: dir), config: config)) {
                guard case LensError.config = $0 else { return XCTFail("\(date): \($0)") }
                XCTAssertTrue("\($0)".contains("span under 136 years"), "\($0)")
            }
        }
    }
}
