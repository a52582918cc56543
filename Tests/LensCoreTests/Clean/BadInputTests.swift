import XCTest
@testable import LensCore

/// Protects the bad-input rules: fatal problems name the file and line and say what to do;
/// row problems (bad quotes, invalid UTF-8, empty tags, BOM/CRLF/no final newline) are
/// quarantined or handled and the run goes on.
final class BadInputTests: XCTestCase {
    func makeDrop(_ files: [String: String]) -> String {
        let dir = TestPaths.tempDir("bad")
        for (name, text) in files {
            FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8))
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
        FileManager.default.createFile(atPath: dir + "/movies.csv", contents: Data(bytes))
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
}
