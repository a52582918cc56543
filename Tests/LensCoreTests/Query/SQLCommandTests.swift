import Foundation
import XCTest
@testable import LensCore

/// Protects the command lines of the SQL layer (`lens query`, `drift`, `report`, `roles`) by running
/// the built binary against database `lens` (ml-latest-small, else the clean synthetic drop):
/// stdout is data, stderr is talk, exit codes as documented.
final class SQLCommandTests: XCTestCase {
    var loaded: SQLFixture.Loaded!
    var binary: String!

    override func setUpWithError() throws {
        binary = try lensBinary()
        loaded = try SQLFixture.main()
    }

    func lens(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        var e = ["LENS_SQL_DIR": SQLFixture.sql.root]
        for (k, v) in env { e[k] = v }
        return try TestPaths.run([binary] + args + ["--database", loaded.conninfo], env: e, cwd: SQLFixture.home)
    }

    func testQueryRendersMarkdownAndRefusesAnInjectedValue() throws {
        let (status, out, err) = try lens(["query", "top_rated", "--param", "min_votes=50", "--param", "limit=2", "--format", "markdown"])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, loaded.pick(small: """
            | movie_id | title | year | n_ratings | mean_rating | weighted_rating |
            | --- | --- | --- | --- | --- | --- |
            | 318 | Shawshank Redemption, The (1994) | 1994 | 212 | 4.472 | 4.366 |
            | 260 | Star Wars: Episode IV - A New Hope (1977) | 1977 | 173 | 4.332 | 4.224 |

            """, synth: """
            | movie_id | title | year | n_ratings | mean_rating | weighted_rating |
            | --- | --- | --- | --- | --- | --- |
            | 559 | Light Lost (1961) | 1961 | 52 | 4.365 | 4.149 |
            | 3536 | Shadow Sun Dawn (2008) | 2008 | 62 | 4.298 | 4.124 |

            """))
        let (bad, badOut, badErr) = try lens(["query", "top_rated", "--param", "min_votes=1; drop table movielens.ratings; --"])
        XCTAssertEqual(bad, 64)
        XCTAssertEqual(badOut, "")
        XCTAssertEqual(badErr, "lens: queries/top_rated.sql: error: parameter 'min_votes' must be integer, got '1; drop table movielens.ratings; --'; the value is bound by the server, never pasted into SQL\n")
        let (count, countOut, _) = try lens(["query", "--sql", "select count(*) as n from movielens.ratings", "--format", "csv"])
        XCTAssertEqual(count, 0)
        XCTAssertEqual(countOut, loaded.pick(small: "n\n100836\n", synth: "n\n15000\n"))
        let (fmt, _, fmtErr) = try lens(["query", "top_rated", "--format", "xml"])
        XCTAssertEqual(fmt, 64)
        XCTAssertTrue(fmtErr.contains("The value 'xml' is invalid for '--format <format>'. Please provide one of 'text', 'json', 'csv' or 'markdown'."), fmtErr)
        // Typed JSON: integers and numbers unquoted (they were all strings before).
        let (js, jsOut, jsErr) = try lens(["query", "top_rated", "--param", "limit=1", "--format", "json"])
        XCTAssertEqual(js, 0, jsErr)
        // The first row of the markdown table above (min_votes defaults to 50).
        XCTAssertEqual(jsOut, loaded.pick(
            small: #"[{"movie_id":318,"title":"Shawshank Redemption, The (1994)","year":1994,"n_ratings":212,"mean_rating":4.472,"weighted_rating":4.366}]"#,
            synth: #"[{"movie_id":559,"title":"Light Lost (1961)","year":1961,"n_ratings":52,"mean_rating":4.365,"weighted_rating":4.149}]"#) + "\n")
    }

    func testQueryListNeedsNoDatabase() throws {
        let (status, out, err) = try TestPaths.run([binary, "query", "--list"], env: ["LENS_SQL_DIR": SQLFixture.sql.root,
                                                                                       "DATABASE_URL": "postgresql://nobody@/nowhere"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains("movies_like: the k movies most similar to a movie"), out)
        XCTAssertTrue(out.contains("    --param movie_id=<integer>   default 1"), out)
    }

    /// Protects `lens drift --dry-run`'s table and alert line and `--fail-on-alert`'s exit code
    /// (1 exactly when some batch alerts), with the [drift] section of the pipeline file setting
    /// the thresholds and flags overriding it. On ml-latest-small the statistics and alert counts
    /// are pinned; on the synthetic drop the alert counts are the ones `Drift.compute` returns in
    /// process (DriftTests checks those statistics against scipy).
    func testDriftFailsOnAlertOnlyWhenAsked() throws {
        func alerts(_ t: DriftThresholds) throws -> Int {
            let conn = try SQLFixture.connect(loaded)
            defer { conn.close() }
            return try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", thresholds: t).alerts.count
        }
        let defaultAlerts = try loaded.isMlLatestSmall ? 0 : alerts(DriftThresholds())
        let sizeOnlyAlerts = try loaded.isMlLatestSmall ? 9 : alerts(DriftThresholds(alpha: 1))
        let (status, out, err) = try lens(["drift", "--dry-run"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.hasPrefix("batch  ratings  users  eff.users  rating_ks  p_value    genre_psi  activity_psi  p_value\n"), out)
        XCTAssertEqual(out.split(separator: "\n").count, 6, "a header and the 5 buffer batches")
        if loaded.isMlLatestSmall {
            XCTAssertTrue(out.contains("\n    1     2016     16        1.4  0.2735     0.475695   0.0441     3.3786        0.513706\n"), out)
        }
        XCTAssertTrue(err.contains("lens: \(defaultAlerts) alerts (thresholds: rating_ks 0.1, genre_psi 0.25, activity_psi 0.25; alpha 0.001); not recorded (--dry-run)"), err)
        let (calm, _, _) = try lens(["drift", "--dry-run", "--fail-on-alert"])
        XCTAssertEqual(calm, defaultAlerts > 0 ? 1 : 0)
        // The pipeline file's [drift] section sets the thresholds; a flag overrides it.
        let file = SQLFixture.home + "/size-only.toml"
        try "[drift]\nalpha = 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (failing, _, failingErr) = try lens(["drift", "--dry-run", "--fail-on-alert", "--pipeline", file])
        XCTAssertEqual(failing, sizeOnlyAlerts > 0 ? 1 : 0)
        XCTAssertTrue(failingErr.contains("lens: \(sizeOnlyAlerts) alerts (thresholds: rating_ks 0.1, genre_psi 0.25, activity_psi 0.25; alpha 1.0)"), failingErr)
        let (quiet, _, quietErr) = try lens(["drift", "--dry-run", "--fail-on-alert", "--pipeline", file, "--ks-threshold", "1",
                                             "--activity-psi-threshold", "10", "--genre-psi-threshold", "10"])
        XCTAssertEqual(quiet, 0, quietErr)
        XCTAssertTrue(quietErr.contains("lens: 0 alerts (thresholds: rating_ks 1.0, genre_psi 10.0, activity_psi 10.0; alpha 1.0)"), quietErr)
        let (gated, _, gatedErr) = try lens(["drift", "--dry-run", "--fail-on-alert", "--pipeline", file, "--alpha", "0.001"])
        XCTAssertEqual(gated, defaultAlerts > 0 ? 1 : 0, gatedErr)
        XCTAssertTrue(gatedErr.contains("lens: \(defaultAlerts) alerts (thresholds: rating_ks 0.1, genre_psi 0.25, activity_psi 0.25; alpha 0.001)"), gatedErr)
        let (bad, _, badErr) = try lens(["drift", "--ks-threshold", "-1"])
        XCTAssertEqual(bad, 64, badErr)
        let (badAlpha, _, badAlphaErr) = try lens(["drift", "--alpha", "0"])
        XCTAssertEqual(badAlpha, 64, badAlphaErr)
        XCTAssertTrue(badAlphaErr.contains("--alpha: error: must be in (0, 1], got 0.0"), badAlphaErr)
    }

    func testReportWritesOneSelfContainedFile() throws {
        let out = SQLFixture.home + "/cli-report.html"
        let (status, stdout, err) = try lens(["report", "--out", out])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(stdout, out + "\n")   // the result: the path written
        XCTAssertTrue(err.hasPrefix("lens: wrote \(out) (version 1, "), err)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("<h1>MovieLens warehouse — version 1</h1>"))
    }

    func testRolesSetupRefusesAMissingPasswordVariable() throws {
        let (status, _, err) = try lens(["roles", "setup", "--password-env", "LENS_TEST_NO_SUCH_VARIABLE"])
        XCTAssertEqual(status, 64)
        XCTAssertEqual(err, "lens: --password-env: error: environment variable LENS_TEST_NO_SUCH_VARIABLE is not set or empty\n")
        let (ok, okOut, okErr) = try lens(["roles", "setup"])
        XCTAssertEqual(ok, 0, okErr)
        XCTAssertTrue(okErr.contains("lens: analysts connect with: psql \"host="), okErr)
        // The connection string is the result, on stdout alone.
        XCTAssertTrue(okOut.hasPrefix("host="), okOut)
        XCTAssertTrue(okOut.hasSuffix("user=lens_analyst\n"), okOut)
    }
}
