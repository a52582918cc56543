import Foundation
import XCTest

/// Protects "a failed or killed load leaves the previous version intact and visible": a `lens run`
/// killed with SIGKILL while its COPY streams ratings leaves the current version queryable with
/// its old counts, no half-visible table, and the next run completes.
final class KilledLoadTests: XCTestCase {
    func testSigkillDuringCopyKeepsThePreviousVersion() throws {
        let db = CLI.cluster.conninfo
        // A first version from the small sample.
        let (s0, _, e0) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("v1"), "--database", db])
        XCTAssertEqual(s0, 0, e0)
        let before = try CLI.scalar("select count(*) from movielens.ratings")
        let currentBefore = try CLI.scalar("select schema_name from lens_catalog.versions where is_current")
        let interruptedBefore = Int(try CLI.scalar("select count(*) from lens_catalog.runs where status = 'interrupted'"))!

        // A bigger drop whose ratings COPY takes long enough to be caught in the act: `lens synth
        // --scale 1m` (1,000,000 ratings, 40,000 tags, 20,000 movies) without its genome, so that
        // ratings is the only table past 100,000 rows (genome-scores would have 3,384,000).
        let big = CLI.tempDir("big")
        let (g, _, ge) = try CLI.lens(["synth", "--scale", "1m", "--seed", "3", big])
        XCTAssertEqual(g, 0, ge)
        for f in ["genome-scores.csv", "genome-tags.csv"] { try FileManager.default.removeItem(atPath: big + "/" + f) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["run", "--source", big, "--out", CLI.tempDir("v2"), "--database", db]
        p.environment = ProcessInfo.processInfo.environment.merging(["LENS_HOME": CLI.home, "LENS_SQL_DIR": CLI.repo + "/sql"]) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var caught = false
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && p.isRunning {
            // The ratings COPY is recognised by its size: no other table of this drop has 100,000 rows.
            let copying = (try? CLI.scalar("select count(*) from pg_stat_progress_copy where command = 'COPY FROM' and tuples_processed > 100000")) ?? "0"
            if copying != "0" {
                kill(p.processIdentifier, SIGKILL)
                caught = true
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        XCTAssertTrue(caught, "the run finished before its ratings COPY could be caught")
        // The server notices the dead client and rolls its transaction back.
        var tries = 0
        while (try? CLI.scalar("select count(*) from pg_stat_activity where state like 'idle in transaction%' or query ilike 'copy%'")) != "0" && tries < 100 {
            usleep(50_000)
            tries += 1
        }
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings"), before)
        XCTAssertEqual(try CLI.scalar("select schema_name from lens_catalog.versions where is_current"), currentBefore)
        // The half-loaded version is only in its loading schema, which no view or catalog row names.
        let schemas = try CLI.scalar("select string_agg(schema_name, ',') from information_schema.schemata where schema_name like 'lens_v%' and schema_name not in (select schema_name from lens_catalog.versions)")
        XCTAssertTrue(schemas.isEmpty || schemas.hasSuffix("_loading") && !schemas.contains(","), "only the loading schema is left: \(schemas)")
        XCTAssertEqual(try CLI.scalar("select count(*) from information_schema.view_table_usage where view_schema = 'movielens' and table_schema like '%\\_loading'"), "0")

        // The next run completes, and the killed one is recorded as interrupted.
        let (s2, _, e2) = try CLI.lens(["run", "--source", big, "--out", CLI.tempDir("v3"), "--database", db])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertNotEqual(try CLI.scalar("select count(*) from movielens.ratings"), before)
        XCTAssertEqual(try CLI.scalar("select count(*) from information_schema.schemata where schema_name like 'lens_v%' and schema_name not in (select schema_name from lens_catalog.versions)"),
                       "0", "the completed load dropped the killed one's loading schema")
        XCTAssertEqual(Int(try CLI.scalar("select count(*) from lens_catalog.runs where status = 'interrupted'"))!,
                       interruptedBefore + 1, "the killed run is recorded as interrupted")
        try? FileManager.default.removeItem(atPath: big)
    }
}
