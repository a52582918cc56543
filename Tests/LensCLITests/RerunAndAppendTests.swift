import Foundation
import XCTest

/// Protects the rerun guarantees: an unchanged rerun does nothing and says so (byte-identical
/// Parquet, one skipped run in the catalog); held-back batches appended one at a time give the
/// table a full load gives, and appending twice changes nothing; diff and prune work on versions.
final class RerunAndAppendTests: XCTestCase {
    func parquetHashes(_ dir: String) throws -> [String: String] {
        let (s, out, err) = try CLI.run(["bash", "-c", "cd '\(dir)' && find . -name '*.parquet' | sort | xargs sha256sum"])
        XCTAssertEqual(s, 0, err)
        var h: [String: String] = [:]
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            h[String(parts[1])] = String(parts[0])
        }
        return h
    }

    func testUnchangedRerunDoesNothingAndSaysSo() throws {
        let db = CLI.cluster.conninfo
        let out = CLI.tempDir("rerun")
        let drop = CLI.repo + "/data/sample"
        let (s1, _, e1) = try CLI.lens(["run", "--source", drop, "--out", out, "--database", db])
        XCTAssertEqual(s1, 0, e1)
        let before = try parquetHashes(out)
        let runsBefore = Int(try CLI.scalar("select count(*) from lens_catalog.runs"))!
        let versionBefore = try CLI.scalar("select version from lens_catalog.versions where is_current")
        let (s2, stdout, e2) = try CLI.lens(["run", "--source", drop, "--out", out, "--database", db, "--format", "json"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(e2.contains("ingest_clean skipped"), e2)
        XCTAssertTrue(e2.contains("load skipped"), e2)
        let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["nothing_changed"] as? Bool, true)
        XCTAssertEqual((json["version"] as? Int).map(String.init), versionBefore, "a skipped run names the current version")
        XCTAssertEqual(try parquetHashes(out), before, "Parquet files byte-identical")
        XCTAssertEqual(Int(try CLI.scalar("select count(*) from lens_catalog.runs"))!, runsBefore + 1)
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs order by run_id desc limit 1"), "skipped")
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), versionBefore)

        // A fresh export folder recomputes byte-identical files (no timestamps inside them).
        let out2 = CLI.tempDir("rerun2")
        let (s3, _, e3) = try CLI.lens(["run", "--source", drop, "--out", out2, "--no-load"])
        XCTAssertEqual(s3, 0, e3)
        XCTAssertEqual(try parquetHashes(out2), before)
    }

    func testAppendingBatchesOneByOneEqualsAFullLoad() throws {
        let db = CLI.cluster.conninfo
        let drop = CLI.repo + "/data/sample"
        let fingerprint = "select md5(string_agg(user_id || ',' || movie_id || ',' || rating || ',' || rated_at || ',' || split || ',' || coalesce(batch::text, ''), ';' order by user_id, movie_id)) from movielens.ratings"
        let (s1, _, e1) = try CLI.lens(["run", "--source", drop, "--out", CLI.tempDir("full"), "--database", db])
        XCTAssertEqual(s1, 0, e1)
        let full = try CLI.scalar(fingerprint)
        let fullVersion = Int(try CLI.scalar("select version from lens_catalog.versions where is_current"))!

        let (s2, _, e2) = try CLI.lens(["run", "--source", drop, "--out", CLI.tempDir("held"), "--database", db, "--hold-back-buffer"])
        XCTAssertEqual(s2, 0, e2)
        let heldVersion = Int(try CLI.scalar("select version from lens_catalog.versions where is_current"))!
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings where split = 'buffer'"), "0")
        for batch in 1...5 {
            let (s, e, _) = try CLI.lens(["append", "--batch", String(batch), "--database", db])
            XCTAssertEqual(s, 0, e)
            XCTAssertTrue(e.contains("appended batch \(batch)"), e)
        }
        XCTAssertEqual(try CLI.scalar(fingerprint), full)
        let (s3, e3, _) = try CLI.lens(["append", "--batch", "3", "--database", db])
        XCTAssertEqual(s3, 0, e3)
        XCTAssertTrue(e3.contains("nothing changed"), e3)
        XCTAssertEqual(try CLI.scalar(fingerprint), full)
        let (s4, _, e4) = try CLI.lens(["append", "--batch", "9", "--database", db])
        XCTAssertEqual(s4, 64)
        XCTAssertTrue(e4.contains("holds back batches 1, 2, 3, 4, 5, not 9"), e4)

        // diff: the held-back version after all appends has the full version's ratings.
        let (s5, diff, e5) = try CLI.lens(["catalog", "diff", String(fullVersion), String(heldVersion), "--database", db, "--format", "csv"])
        XCTAssertEqual(s5, 0, e5)
        XCTAssertTrue(diff.contains("ratings,0,0,0"), diff)
        XCTAssertTrue(diff.contains("movies,0,0,0"), diff)

        // prune keeps the newest versions and never the current one.
        let (s6, _, e6) = try CLI.lens(["catalog", "prune", "--keep", "1", "--database", db])
        XCTAssertEqual(s6, 0, e6)
        XCTAssertEqual(try CLI.scalar("select count(*) from lens_catalog.versions where dropped_at is null"), "1")
        XCTAssertEqual(try CLI.scalar("select count(*) from information_schema.schemata where schema_name = 'lens_v\(fullVersion)'"), "0")
        XCTAssertEqual(try CLI.scalar(fingerprint), full, "the current version is untouched by prune")
    }
}
