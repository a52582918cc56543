import Foundation
import XCTest
import LensTestSupport

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
        let diff = try Diff(v1, v2, database: db)
        XCTAssertEqual(diff.counts("ratings"), [1000, 0, 0], diff.text)
        for table in ["movies", "links", "tags", "genome_tags", "genome_scores", "quarantine", "ratings_buffer", "users"] {
            XCTAssertEqual(diff.counts(table), [0, 0, 0], "\(table) unchanged: \(diff.text)")
        }
        XCTAssertEqual(diff.schemaChanges, 0, diff.text)
    }

    /// Protects issue 13's diff: a row is changed only when one of its own values changed, not
    /// when its line moved (source_line is lineage) or a derived column moved (title_normalized,
    /// genre flags, split). The second drop is data/sample with every movie and link line
    /// reversed and new lines inserted at the top of every file (so almost every source_line
    /// moves), two titles edited (one also changes the year), one movie's genres, one tmdbId and
    /// one rating changed, one rating and one tag removed, and a movie, its link, three ratings
    /// and a tag added. The diff counts exactly those, per column, and `--format json` is one
    /// JSON document.
    func testMovedLinesAreNoChangeAndEachEditedValueCountsOnce() throws {
        let db = CLI.cluster.conninfo
        let sample = CLI.repo + "/data/sample"
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("e1"), "--database", db])
        XCTAssertEqual(s0, 0, e0)
        let v1 = try CLI.scalar("select version from lens_catalog.versions where is_current")

        let edited = CLI.tempDir("edited")
        for name in try FileManager.default.contentsOfDirectory(atPath: sample) {
            try FileManager.default.copyItem(atPath: sample + "/" + name, toPath: edited + "/" + name)
        }
        /// Rewrites `file`'s data lines (the header stays first).
        func rewrite(_ file: String, _ change: ([String]) throws -> [String]) throws {
            let lines = try String(contentsOfFile: edited + "/" + file, encoding: .utf8).split(separator: "\n").map(String.init)
            try ([lines[0]] + change(Array(lines.dropFirst()))).joined(separator: "\n").appending("\n")
                .write(toFile: edited + "/" + file, atomically: true, encoding: .utf8)
        }
        /// `lines` with `old` replaced by `new` (which must be there exactly once).
        func replace(_ lines: [String], _ old: String, _ new: String?) throws -> [String] {
            XCTAssertEqual(lines.filter { $0 == old }.count, 1, old)
            return lines.compactMap { $0 == old ? new : $0 }
        }
        try rewrite("movies.csv") { lines in
            var l = try replace(lines, "1,Broken Crimson Fire (1987),Animation|Thriller", "1,Broken Crimson Fire (1988),Animation|Thriller")
            l = try replace(l, "3,Lost Sun (1981),Drama|Film-Noir|Horror", "3,Lost Suns (1981),Drama|Film-Noir|Horror")
            l = try replace(l, "4,Light Dance (1962),Musical|Romance", "4,Light Dance (1962),Musical")
            return ["999001,A Newer Film (2019),Drama"] + l.reversed()
        }
        try rewrite("links.csv") { lines in
            ["999001,9999001,999001"] + (try replace(lines, "1,3236462,679959", "1,3236462,679960")).reversed()
        }
        try rewrite("ratings.csv") { lines in
            // each (user, movie) below is on one line only, so no deduplication is involved
            for key in ["1,31,", "1,118,"] { XCTAssertEqual(lines.filter { $0.hasPrefix(key) }.count, 1, key) }
            var l = try replace(lines, "1,31,3.0,1426469451", "1,31,4.0,1426469451")
            l = try replace(l, "1,118,2.5,1445483548", nil)
            return ["999,1,4.0,1500000000", "999,3,3.5,1500000100", "999,4,2.0,1500000200"] + l
        }
        try rewrite("tags.csv") { lines in
            ["999,1,fresh tag,1500000300"] + (try replace(lines, "150,2950,violent,1455090547", nil))
        }

        let (s1, _, e1) = try CLI.lens(["run", "--source", edited, "--out", CLI.tempDir("e2"), "--database", db,
                                        "--drop-date", try CLI.scalar("select drop_date from lens_catalog.versions where version = \(v1)")])
        XCTAssertEqual(s1, 0, e1)
        let v2 = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertNotEqual(v1, v2)
        XCTAssertEqual(try CLI.scalar("""
            select count(*) from lens_v\(v1).movies as a join lens_v\(v2).movies as b using (movie_id)
            where a.source_line <> b.source_line
            """), "1199", "the lines moved: all movies but one (line 602, reversed and shifted by the new first line) are on another line")

        let diff = try Diff(v1, v2, database: db)
        XCTAssertEqual(diff.counts("movies"), [1, 0, 3], diff.text)
        XCTAssertEqual(diff.columns("movies"), ["title": 2, "year": 1, "genres": 1], diff.text)
        XCTAssertEqual(diff.counts("links"), [1, 0, 1], diff.text)
        XCTAssertEqual(diff.columns("links"), ["imdb_id": 0, "tmdb_id": 1], diff.text)
        XCTAssertEqual(diff.counts("ratings"), [3, 1, 1], diff.text)
        XCTAssertEqual(diff.columns("ratings"), ["rating": 1, "rated_at": 0], diff.text)
        XCTAssertEqual(diff.counts("tags"), [1, 1, 0], diff.text)
        for table in ["genome_tags", "genome_scores", "quarantine", "ratings_buffer", "users"] {
            XCTAssertEqual(diff.counts(table), [0, 0, 0], "\(table) unchanged: \(diff.text)")
        }
        XCTAssertEqual(diff.notCompared("movies").first, "title_normalized")
        XCTAssertEqual(diff.notCompared("movies").count, 22, "title_normalized, 20 genre flags, source_line")
        XCTAssertEqual(diff.notCompared("ratings"), ["split", "batch", "source_line"])
        XCTAssertEqual(diff.schemaChanges, 0, diff.text)

        // the table format names the changed columns
        let (s3, table, e3) = try CLI.lens(["catalog", "diff", v1, v2, "--database", db])
        XCTAssertEqual(s3, 0, e3)
        XCTAssertTrue(table.contains("title 2; year 1; genres 1"), table)
        XCTAssertTrue(table.hasSuffix("no schema changes\n"), table)
    }
}

extension NewDropDiffTests {
    /// Protects the diff on real data (GroupLens ml-latest-small, skipped when absent): the same
    /// drop with the lines of movies.csv, links.csv, tags.csv and ratings.csv in reverse order
    /// and one title edited ("Matrix, The (1999)" -> "Matrix, The: Remastered (1999)") differs
    /// by that one title and nothing else in the tables that come from the drop, though almost
    /// every source_line moved (the whole-row comparison it replaces, source_line included, would
    /// count all 9,742 movies and links as changed).
    func testRealDropWithReversedLinesDiffersByTheOneEditedTitle() throws {
        let real = CLI.shared + "/movielens/ml-latest-small"
        guard FileManager.default.fileExists(atPath: real + "/movies.csv") else { throw Skip.groupLens("movielens/ml-latest-small", at: real) }
        let db = CLI.cluster.conninfo
        let (s0, _, e0) = try CLI.lens(["run", "--source", real, "--out", CLI.tempDir("r1"), "--database", db])
        XCTAssertEqual(s0, 0, e0)
        let v1 = try CLI.scalar("select version from lens_catalog.versions where is_current")

        let reversed = CLI.tempDir("reversed")
        for name in try FileManager.default.contentsOfDirectory(atPath: real) {
            var text = try String(contentsOfFile: real + "/" + name, encoding: .utf8)
            if name.hasSuffix(".csv") {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
                text = ([lines[0]] + lines.dropFirst().reversed()).joined(separator: "\n") + "\n"
            }
            if name == "movies.csv" {
                let old = "2571,\"Matrix, The (1999)\",Action|Sci-Fi|Thriller\n"
                XCTAssertTrue(text.contains(old))
                text = text.replacingOccurrences(of: old, with: "2571,\"Matrix, The: Remastered (1999)\",Action|Sci-Fi|Thriller\n")
            }
            try text.write(toFile: reversed + "/" + name, atomically: true, encoding: .utf8)
        }
        let (s1, _, e1) = try CLI.lens(["run", "--source", reversed, "--out", CLI.tempDir("r2"), "--database", db])
        XCTAssertEqual(s1, 0, e1)
        let v2 = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertNotEqual(v1, v2)
        XCTAssertEqual(try CLI.scalar("""
            select count(*) from lens_v\(v1).links as a join lens_v\(v2).links as b using (movie_id)
            where a.source_line <> b.source_line
            """), "9742", "every link line moved (9,742 lines reversed: no middle line)")

        let diff = try Diff(v1, v2, database: db)
        XCTAssertEqual(diff.counts("movies"), [0, 0, 1], diff.text)
        XCTAssertEqual(diff.columns("movies"), ["title": 1, "year": 0, "genres": 0], diff.text)
        for table in ["links", "ratings", "tags", "quarantine"] {
            XCTAssertEqual(diff.counts(table), [0, 0, 0], "\(table): \(diff.text)")
        }
        XCTAssertEqual(diff.schemaChanges, 0, diff.text)
    }
}

/// `lens catalog diff A B --format json`, parsed: stdout must be exactly one JSON document.
private struct Diff {
    let text: String
    let tables: [String: [String: Any]]
    let schemaChanges: Int

    init(_ a: String, _ b: String, database: String) throws {
        let (status, out, err) = try CLI.lens(["catalog", "diff", a, b, "--database", database, "--format", "json"])
        XCTAssertEqual(status, 0, err)
        text = out
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], out)
        XCTAssertEqual(doc["from"] as? Int, Int(a))
        XCTAssertEqual(doc["to"] as? Int, Int(b))
        let list = try XCTUnwrap(doc["tables"] as? [[String: Any]], out)
        tables = Dictionary(uniqueKeysWithValues: list.map { ($0["table"] as? String ?? "", $0) })
        schemaChanges = try XCTUnwrap(doc["schema_changes"] as? [Any], out).count
    }

    /// [added, removed, changed] of `table` (empty when the diff has no such table).
    func counts(_ table: String) -> [Int] {
        guard let t = tables[table] else { return [] }
        return ["added", "removed", "changed"].compactMap { t[$0] as? Int }
    }

    /// Changed rows per compared column of `table`.
    func columns(_ table: String) -> [String: Int] { tables[table]?["changed_columns"] as? [String: Int] ?? [:] }

    func notCompared(_ table: String) -> [String] { tables[table]?["not_compared"] as? [String] ?? [] }
}
