import Foundation
import XCTest

/// Protects lens as a citizen of the user's machine and server: a read-only command never
/// creates a warehouse (exit 2 with what to do, nothing created, no server left running); a
/// malformed connection string is a configuration error naming the setting (exit 64), not
/// "check that the server runs"; lens's connections name themselves `lens <command>`.
final class WarehouseAccessTests: XCTestCase {
    /// `lens query`, `check`, `catalog`, `drift`, `report` and `db psql` in a folder with no
    /// warehouse: exit 2, the advice, and no cluster created.
    func testReadersDoNotCreateAWarehouse() throws {
        let home = CLI.tempDir("no-warehouse") + "/state"
        for args in [["query", "top_rated"], ["check"], ["catalog"], ["drift"], ["report", "--out", home + "-r.html"], ["db", "psql"]] {
            let (status, out, err) = try CLI.lens(args, env: ["LENS_HOME": home])
            XCTAssertEqual(status, 2, "\(args): \(err)")
            XCTAssertEqual(out, "", "\(args): nothing on stdout")
            XCTAssertTrue(err.contains("no warehouse here (no private cluster in \(home)/postgres): run `lens run --source DROP` to create one, or pass --database URL / set DATABASE_URL"), "\(args): \(err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/postgres"), "\(args) created a cluster")
        }
        let (s, out, _) = try CLI.run(["pgrep", "-f", home])
        XCTAssertEqual(s, 1, "no process runs on \(home): \(out)")
    }

    /// A bad sslmode, an unknown keyword and a malformed URL exit 64 naming the problem.
    func testMalformedConnectionStringsAreConfigErrors() throws {
        let cases: [(String, String)] = [
            ("host=/tmp sslmode=bogus", "lens: --database: error: invalid value 'bogus' for sslmode: use one of disable, allow, prefer, require, verify-ca, verify-full"),
            ("hots=/tmp dbname=lens", "lens: --database: error: invalid connection string: invalid connection option \"hots\""),
            ("postgresql://u@h/db?sslmode=sometimes", "lens: --database: error: invalid value 'sometimes' for sslmode"),
        ]
        for (conninfo, expected) in cases {
            let (status, _, err) = try CLI.lens(["catalog", "--database", conninfo])
            XCTAssertEqual(status, 64, "\(conninfo): \(err)")
            XCTAssertTrue(err.contains(expected), "\(conninfo): \(err)")
        }
        let (status, _, err) = try CLI.lens(["check"], env: ["DATABASE_URL": "host=/tmp sslmode=bogus"])
        XCTAssertEqual(status, 64, err)
        XCTAssertTrue(err.contains("lens: DATABASE_URL: error: invalid value 'bogus' for sslmode"), err)
    }

    /// The server sees `lens query` as the application; PGAPPNAME, when set, wins.
    func testConnectionsNameTheCommand() throws {
        let db = CLI.cluster.conninfo
        let (s1, out1, e1) = try CLI.lens(["query", "--sql", "select current_setting('application_name') as app", "--database", db, "--format", "csv"])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertEqual(out1, "app\nlens query\n")
        let (s2, out2, e2) = try CLI.lens(["query", "--sql", "select current_setting('application_name') as app", "--database", db, "--format", "csv"],
                                          env: ["PGAPPNAME": "nightly-etl"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertEqual(out2, "app\nnightly-etl\n")
    }
}
