import Foundation
import XCTest
@testable import LensCore

/// Protects the command lines of the SQL layer (`lens query`, `drift`, `report`, `roles`) by running
/// the built binary against ml-latest-small: stdout is data, stderr is talk, exit codes as documented.
final class SQLCommandTests: XCTestCase {
    var loaded: SQLFixture.Loaded!
    var binary: String!

    override func setUpWithError() throws {
        binary = try lensBinary()
        loaded = try SQLFixture.small()
    }

    func lens(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        var e = ["LENS_SQL_DIR": SQLFixture.sql.root]
        for (k, v) in env { e[k] = v }
        return try TestPaths.run([binary] + args + ["--database", loaded.conninfo], env: e, cwd: SQLFixture.home)
    }

    func testQueryRendersMarkdownAndRefusesAnInjectedValue() throws {
        let (status, out, err) = try lens(["query", "top_rated", "--param", "min_votes=50", "--param", "limit=2", "--format", "markdown"])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(out, """
            | movie_id | title | year | n_ratings | mean_rating | weighted_rating |
            | --- | --- | --- | --- | --- | --- |
            | 318 | Shawshank Redemption, The (1994) | 1994 | 212 | 4.472 | 4.366 |
            | 260 | Star Wars: Episode IV - A New Hope (1977) | 1977 | 173 | 4.332 | 4.224 |

            """)
        let (bad, badOut, badErr) = try lens(["query", "top_rated", "--param", "min_votes=1; drop table movielens.ratings; --"])
        XCTAssertEqual(bad, 64)
        XCTAssertEqual(badOut, "")
        XCTAssertEqual(badErr, "lens: queries/top_rated.sql: error: parameter 'min_votes' must be integer, got '1; drop table movielens.ratings; --'; the value is bound by the server, never pasted into SQL\n")
        let (count, countOut, _) = try lens(["query", "--sql", "select count(*) as n from movielens.ratings", "--format", "csv"])
        XCTAssertEqual(count, 0)
        XCTAssertEqual(countOut, "n\n100836\n")
        let (fmt, _, fmtErr) = try lens(["query", "top_rated", "--format", "xml"])
        XCTAssertEqual(fmt, 64)
        XCTAssertTrue(fmtErr.contains("must be one of table, csv, json, markdown, got 'xml'"), fmtErr)
    }

    func testQueryListNeedsNoDatabase() throws {
        let (status, out, err) = try TestPaths.run([binary, "query", "--list"], env: ["LENS_SQL_DIR": SQLFixture.sql.root,
                                                                                       "DATABASE_URL": "postgresql://nobody@/nowhere"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.contains("movies_like: the k movies most similar to a movie"), out)
        XCTAssertTrue(out.contains("    --param movie_id=<integer>   default 1"), out)
    }

    func testDriftFailsOnAlertOnlyWhenAsked() throws {
        let (status, out, err) = try lens(["drift", "--dry-run"])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(out.hasPrefix("batch  ratings   rating_ks  p_value    genre_psi  activity_psi\n"), out)
        XCTAssertTrue(err.contains("lens: 9 alerts (thresholds: rating_ks 0.1, genre_psi 0.25, activity_psi 0.25); not recorded (--dry-run)"), err)
        let (failing, _, _) = try lens(["drift", "--dry-run", "--fail-on-alert"])
        XCTAssertEqual(failing, 1)
        let (quiet, _, quietErr) = try lens(["drift", "--dry-run", "--fail-on-alert", "--ks-threshold", "1", "--activity-psi-threshold", "10"])
        XCTAssertEqual(quiet, 0, quietErr)
        let (bad, _, badErr) = try lens(["drift", "--ks-threshold", "-1"])
        XCTAssertEqual(bad, 64, badErr)
    }

    func testReportWritesOneSelfContainedFile() throws {
        let out = SQLFixture.home + "/cli-report.html"
        let (status, stdout, err) = try lens(["report", "--out", out])
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(stdout, "")
        XCTAssertTrue(err.hasPrefix("lens: wrote \(out) (version 1, "), err)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("<h1>MovieLens warehouse — version 1</h1>"))
    }

    func testRolesSetupRefusesAMissingPasswordVariable() throws {
        let (status, _, err) = try lens(["roles", "setup", "--password-env", "LENS_TEST_NO_SUCH_VARIABLE"])
        XCTAssertEqual(status, 64)
        XCTAssertEqual(err, "lens: --password-env: error: environment variable LENS_TEST_NO_SUCH_VARIABLE is not set or empty\n")
        let (ok, _, okErr) = try lens(["roles", "setup"])
        XCTAssertEqual(ok, 0, okErr)
        XCTAssertTrue(okErr.contains("lens: analysts connect with: psql \"host="), okErr)
        XCTAssertTrue(okErr.contains("user=lens_analyst\""), okErr)
    }
}
