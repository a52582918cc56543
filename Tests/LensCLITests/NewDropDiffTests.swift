import Foundation
import XCTest

/// Protects "a new drop becomes a new version": the sample with 1,000 later ratings added loads
/// as a new version beside the old one, and `lens catalog diff` shows +1,000 ratings and no other
/// change in the tables that come from the drop (the train-derived stats move by design).
final class NewDropDiffTests: XCTestCase {
    func testThousandLaterRatingsMakeANewVersionWithADiffOfExactlyThem() throws {
        let db = CLI.cluster.conninfo
        let sample = CLI.repo + "/data/sample"
        // --allow-shrink: the shared test cluster's current version may be a larger drop of another test.
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("d1"), "--database", db, "--allow-shrink"])
        XCTAssertEqual(s0, 0, e0)
        let v1 = try CLI.scalar("select version from lens_catalog.versions where is_current")

        // The same drop with 1,000 ratings of new users appended, later than every other rating.
        let bigger = CLI.tempDir("bigger")
        for name in try FileManager.default.contentsOfDirectory(atPath: sample) {
            try FileManager.default.copyItem(atPath: sample + "/" + name, toPath: bigger + "/" + name)
        }
        var extra = ""
        for i in 0..<1_000 { extra += "\(100_000 + i),\(i % 2 == 0 ? 1 : 2),4.5,\(1_600_000_000 + i)\n" }
        let movies = try String(contentsOfFile: sample + "/movies.csv", encoding: .utf8).split(separator: "\n")
        let firstTwo = movies.dropFirst().prefix(2).map { String($0.split(separator: ",")[0]) }
        extra = extra.replacingOccurrences(of: ",1,4.5,", with: ",\(firstTwo[0]),4.5,").replacingOccurrences(of: ",2,4.5,", with: ",\(firstTwo[1]),4.5,")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bigger + "/ratings.csv"))
        handle.seekToEndOfFile()
        handle.write(Data(extra.utf8))
        try handle.close()

        let (s1, _, e1) = try CLI.lens(["run", "--source", bigger, "--out", CLI.tempDir("d2"), "--database", db,
                                        "--drop-date", try CLI.scalar("select drop_date from lens_catalog.versions where version = \(v1)")])
        XCTAssertEqual(s1, 0, e1)
        let v2 = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertNotEqual(v1, v2)
        XCTAssertEqual(try CLI.scalar("select count(*) from lens_catalog.versions where version in (\(v1), \(v2)) and dropped_at is null"), "2",
                       "the old version stays listed and loaded")
        let (s2, diff, e2) = try CLI.lens(["catalog", "diff", v1, v2, "--database", db, "--format", "csv"])
        XCTAssertEqual(s2, 0, e2)
        let rows = Dictionary(uniqueKeysWithValues: diff.split(separator: "\n").compactMap { line -> (String, String)? in
            let f = line.split(separator: ",", maxSplits: 1).map(String.init)
            return f.count == 2 ? (f[0], f[1]) : nil
        })
        XCTAssertEqual(rows["ratings"], "1000,0,0", diff)
        for table in ["movies", "links", "tags", "genome_tags", "genome_scores", "quarantine", "ratings_buffer", "users"] {
            XCTAssertEqual(rows[table], "0,0,0", "\(table) unchanged: \(diff)")
        }
        XCTAssertTrue(diff.contains("no schema changes"), diff)
    }
}
