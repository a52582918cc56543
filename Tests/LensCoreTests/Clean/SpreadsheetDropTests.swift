import XCTest
@testable import LensCore

/// Protects the reading of spreadsheet-saved CSV files: empty columns after the last named one
/// (`userId,movieId,rating,timestamp,,,,`) are dropped with a warning, whole-number ratings
/// (`3`) are ratings, a value in such a column quarantines its line (`trailing_value`), and a
/// renamed or reordered column still stops the run naming the headers.
final class SpreadsheetDropTests: XCTestCase {
    func makeDrop(_ files: [String: String]) -> String {
        let dir = TestPaths.tempDir("sheet")
        for (name, text) in files {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)), "could not create \(dir + "/" + name)")
        }
        return dir
    }

    /// Every file of a CSV drop as a spreadsheet saves it: 4, 2, 1, 3, 2 and 1 empty columns.
    static let sheetDrop: [String: String] = [
        "ratings.csv": "userId,movieId,rating,timestamp,,,,\r\n"
            + "1,1,3,1260759144,,,,\r\n"          // line 2: whole-number rating, kept
            + "1,2,4.5,1260759145,,,,\r\n"        // line 3: kept
            + "2,1,5,1260759146,,,,x\r\n"         // line 4: a value in a dropped column
            + "2,2,4,1260759147,,,\r\n"           // line 5: 7 fields for 8
            + "3,1,,,,,,\r\n"                     // line 6: 8 fields, the rating and time blank
            + "3,2,2,1260759148,,,,,\r\n"         // line 7: 9 fields for 8
            + "3,9,2,1260759149,,,,\r\n",         // line 8: orphan
        "movies.csv": "movieId,title,genres,,\n"
            + "1,Toy Story (1995),Adventure|Animation,,\n"
            + "2,\"Matrix, The (1999)\",Action|Sci-Fi,,\n"
            + "3,\"Comma, A (2001)\",,,\n"         // empty genres, then the two empty columns
            + "4,Kept Out (2002),Drama,,\"\"\n",  // an empty quoted value still fills the column: line 5
        "tags.csv": "userId,movieId,tag,timestamp,\n1,1,funny,1445714994,\n1,2,dark,1445714995,note\n",
        "links.csv": "movieId,imdbId,tmdbId,,,\n1,0114709,862,,,\n2,0133093,603,,,\n",
        "genome-tags.csv": "tagId,tag,,\n1,007,,\n2,\"action, lots\",,\n",
        "genome-scores.csv": "movieId,tagId,relevance,\n1,1,0.5,\n1,2,1,\n2,1,0.75,\n2,2,0,\n",
    ]

    /// Protects item 2 end to end: exact clean rows, rejects by reason and reconciliation per file.
    func testSpreadsheetSavedFilesLoadWithTrailingEmptyColumnsDropped() throws {
        var config = PipelineConfig()
        config.dropDate = "2018-09-26"
        let c = try CleanDrop.run(source: try DropSource.open(path: makeDrop(Self.sheetDrop)), config: config)
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(c.quarantine.map { "\($0.file):\($0.line) \($0.reason.rawValue) \($0.raw)" }, [
            "movies.csv:5 trailing_value 4,Kept Out (2002),Drama,,\"\"",
            "ratings.csv:4 trailing_value 2,1,5,1260759146,,,,x",
            "ratings.csv:5 field_count 2,2,4,1260759147,,,",
            "ratings.csv:6 blank_field 3,1,,,,,,",
            "ratings.csv:7 field_count 3,2,2,1260759148,,,,,",
            "ratings.csv:8 orphan 3,9,2,1260759149,,,,",
            "tags.csv:3 trailing_value 1,2,dark,1445714995,note",
        ])
        let byFile = Dictionary(uniqueKeysWithValues: c.reconciliation.map { ($0.file, [$0.linesRead, $0.clean, $0.rejected, $0.orphans]) })
        XCTAssertEqual(byFile, [
            "movies.csv": [4, 3, 1, 0], "links.csv": [2, 2, 0, 0], "tags.csv": [2, 1, 1, 0],
            "ratings.csv": [7, 2, 4, 1], "genome-tags.csv": [2, 2, 0, 0], "genome-scores.csv": [4, 4, 0, 0],
        ])
        XCTAssertEqual(c.ratings.rating, [3.0, 4.5])
        XCTAssertEqual((0..<c.ratings.count).map { c.ratings.ratedAt[$0] }, [1_260_759_144, 1_260_759_145])
        XCTAssertEqual(c.caps.ratingOffGrid, 0, "3 is on the half-star grid")
        XCTAssertEqual(c.movies.titleNormalized, ["Toy Story", "The Matrix", "A Comma"])
        XCTAssertEqual(c.movies.genres, [["Adventure", "Animation"], ["Action", "Sci-Fi"], []])
        XCTAssertEqual(c.links.imdbId, ["0114709", "0133093"])
        XCTAssertEqual(c.links.tmdbId, [862, 603])
        XCTAssertEqual(c.tags.tag, ["funny"])
        XCTAssertEqual(c.genomeTags?.tag, ["007", "action, lots"])
        XCTAssertEqual(c.genomeScores?.count, 4)
        XCTAssertEqual(c.warnings.map(\.kind), Array(repeating: .trailingEmptyColumnsDropped, count: 6))
        XCTAssertEqual(c.warnings.map(\.message), [
            "movies.csv: dropped the 2 empty columns the header ends with (as a spreadsheet saves a file); 1 of 4 data lines held a value there and was quarantined as trailing_value",
            "links.csv: dropped the 3 empty columns the header ends with (as a spreadsheet saves a file); 0 of 2 data lines held a value there and were quarantined as trailing_value",
            "tags.csv: dropped the 1 empty column the header ends with (as a spreadsheet saves a file); 1 of 2 data lines held a value there and was quarantined as trailing_value",
            "ratings.csv: dropped the 4 empty columns the header ends with (as a spreadsheet saves a file); 1 of 7 data lines held a value there and was quarantined as trailing_value",
            "genome-tags.csv: dropped the 2 empty columns the header ends with (as a spreadsheet saves a file); 0 of 2 data lines held a value there and were quarantined as trailing_value",
            "genome-scores.csv: dropped the 1 empty column the header ends with (as a spreadsheet saves a file); 0 of 4 data lines held a value there and were quarantined as trailing_value",
        ])
    }

    /// A renamed column is still fatal with trailing empty columns, and a named extra column is
    /// not an empty one: both name the header found and the one expected.
    func testRenamedOrExtraNamedColumnIsStillFatal() throws {
        for header in ["userId,itemId,rating,timestamp,,,,", "userId,movieId,rating,timestamp,comment", "movieId,userId,rating,timestamp"] {
            var files = Self.sheetDrop
            files["ratings.csv"] = header + "\n1,1,3,1260759144,,,,\n"
            let dir = makeDrop(files)
            XCTAssertThrowsError(try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())) {
                XCTAssertEqual("\($0)", "\(dir)/ratings.csv:1: error: unexpected header \"\(header)\"; expected \"userId,movieId,rating,timestamp\" (a renamed or reordered column cannot be read safely)")
            }
        }
    }
}
