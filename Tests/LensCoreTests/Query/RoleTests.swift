import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects lens_analyst (sql/roles): it reads the current version's views and the exposed catalog
/// views, calls the analyst functions, and gets a permission error for every write, for the
/// version schemas, the catalog tables and the public schema. Tested in a superuser session
/// after `SET ROLE lens_analyst`, and by logging in as the role over the cluster's socket.
final class RoleTests: XCTestCase {
    var conn: PGConnection!
    var loaded: SQLFixture.Loaded!

    override func setUpWithError() throws {
        loaded = try SQLFixture.main()
        conn = try SQLFixture.connect(loaded)
        _ = try AnalystRole.setup(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog", login: .noPassword)
        try conn.execute("set role lens_analyst")
    }

    override func tearDown() {
        try? conn?.execute("reset role")
        conn?.close()
    }

    /// Asserts that `sql` fails with insufficient_privilege (42501) and that the transaction state is clean.
    func assertDenied(_ sql: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try conn.execute(sql), sql, file: file, line: line) { error in
            XCTAssertEqual(sqlState(error), "42501", "\(sql): \(error)", file: file, line: line)
        }
    }

    func testTheAnalystReadsTheViewsAndCallsTheFunctions() throws {
        XCTAssertEqual(try conn.query("select current_user").rows, [["lens_analyst"]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.ratings").rows, [[loaded.pick(small: "100836", synth: "15000")]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.rating_distribution").rows, [["10"]])
        XCTAssertEqual(try conn.query("select count(*) > 0 from movielens.movie_pair_lift").rows, [["t"]])
        XCTAssertEqual(try conn.query("select movielens.movie_by_title($1)", [loaded.pick(small: "the matrix", synth: "light lost")]).rows,
                       [[loaded.pick(small: "2571", synth: "559")]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.movies_like(1)").rows, [["0"]])
        XCTAssertEqual(try conn.query("select version, is_current from movielens.versions").rows, [["1", "t"]])
        XCTAssertNoThrow(try conn.query("select * from movielens.check_results"))
        XCTAssertNoThrow(try conn.query("select * from movielens.drift_alerts"))
        // named queries run as the analyst too
        let top = try QueryRunner.named(try NamedQuery.named("top_rated", in: SQLFixture.sql), params: ["limit": "1"],
                                        files: SQLFixture.sql, current: "movielens", conn: conn)
        XCTAssertEqual(top.rows.first?[0], loaded.pick(small: "318", synth: "559"))
    }

    func testTheAnalystCannotWrite() {
        assertDenied("insert into movielens.ratings values (1, 1, 5, now(), 'train', null)")
        assertDenied("update movielens.ratings set rating = 5 where user_id = 1")
        assertDenied("delete from movielens.tags")
        assertDenied("truncate lens_v1.ratings")
        assertDenied("drop view movielens.top_rated")
        assertDenied("create table movielens.mine (x int)")
        assertDenied("create view movielens.mine as select 1")
        assertDenied("create table public.mine (x int)")
        assertDenied("create schema mine")
        assertDenied("alter role lens_analyst superuser")
        assertDenied("create function movielens.f() returns int language sql as 'select 1'")
    }

    func testTheAnalystCannotReadTheVersionSchemasOrTheCatalog() {
        assertDenied("select count(*) from lens_v1.ratings")
        assertDenied("select count(*) from lens_v1.movie_pair_lift")
        assertDenied("select * from lens_catalog.runs")
        assertDenied("select * from lens_catalog.versions")
        assertDenied("select * from lens_catalog.checks")
        assertDenied("select * from lens_catalog.datasets")
        assertDenied("select * from lens_catalog.drift_alerts")
    }

    func testThePermissionErrorsNameTheObject() {
        XCTAssertThrowsError(try conn.execute("select * from lens_catalog.runs")) { error in
            XCTAssertEqual((error as? PGError)?.message, "permission denied for schema lens_catalog")
        }
        XCTAssertThrowsError(try conn.execute("insert into movielens.tags values (1, 1, 'x', 'x', now())")) { error in
            XCTAssertEqual((error as? PGError)?.message, "permission denied for view tags")
        }
    }

    func testGrantsSurviveARepublishAndSetupIsIdempotent() throws {
        try conn.execute("reset role")
        try AnalystLayer.republish(conn: conn, sql: SQLFixture.sql, schema: loaded.schema, current: "movielens", catalog: "lens_catalog")
        let again = try AnalystRole.setup(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog", login: .noPassword)
        XCTAssertFalse(again.created)
        XCTAssertTrue(again.canLogin)
        try conn.execute("set role lens_analyst")
        XCTAssertEqual(try conn.query("select count(*) from movielens.tag_counts where tag = 'atmospheric'").rows, [["1"]])
    }

    func testTheRoleLogsInOverTheSocketAndIsReadOnly() throws {
        try conn.execute("reset role")
        let cluster = try SQLFixture.cluster()
        let analyst = try PGConnection(conninfo: AnalystRole.conninfo(from: cluster.conninfo))
        defer { analyst.close() }
        XCTAssertEqual(try analyst.query("select current_user, current_setting('search_path')").rows, [["lens_analyst", "movielens"]])
        XCTAssertEqual(try analyst.query("select count(*) from top_rated where rank <= 3").rows, [["3"]], "search_path is the current schema")
        XCTAssertThrowsError(try analyst.execute("delete from movielens.ratings")) { XCTAssertEqual(sqlState($0), "42501") }
    }

    /// Protects issue 13's "no secret in any server log": with `log_statement = all`, setting the
    /// password sends only its SCRAM verifier (the log holds the setup statements and the
    /// verifier, never the password, though it does hold a bound parameter in clear, as the
    /// control shows); the stored verifier is that one; and the analyst logs in over the socket
    /// with the password, and not with another, once pg_hba asks it for one. A group role has no
    /// password and cannot log in.
    func testAPasswordReachesNoServerLogAndLetsTheAnalystLogIn() throws {
        try conn.execute("reset role")
        let cluster = try SQLFixture.cluster()
        let secret = "s3cr'et; drop role lens_analyst; -- " + UUID().uuidString
        let logStart = (try FileManager.default.attributesOfItem(atPath: cluster.logPath)[.size] as? NSNumber)?.intValue ?? 0
        // session level: this connection's statements, parameters included, go to the server log
        try conn.execute("set log_statement = 'all'")
        let marker = "bound-marker-" + UUID().uuidString
        _ = try conn.query("select $1::text", [marker])
        let r = try AnalystRole.setup(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog",
                                      login: .password(secret))
        try conn.execute("reset log_statement")
        XCTAssertTrue(r.hasPassword)
        XCTAssertTrue(r.canLogin)
        let stored = try conn.query("select rolcanlogin, rolpassword from pg_authid where rolname = 'lens_analyst'").rows
        XCTAssertEqual(stored.first?[0], "t")
        let verifier = try XCTUnwrap(stored.first?[1] ?? nil)
        XCTAssertTrue(verifier.hasPrefix("SCRAM-SHA-256$4096:"), verifier)

        let log = try XCTUnwrap(FileManager.default.contents(atPath: cluster.logPath))
        let written = String(decoding: log.dropFirst(logStart), as: UTF8.self)
        XCTAssertTrue(written.contains(marker), "control: log_statement = all writes bound parameters in clear")
        XCTAssertTrue(written.contains("set_config('lens.analyst_login'"), "the setup's statements were logged")
        XCTAssertTrue(written.contains(verifier), "what the server got is the verifier")
        XCTAssertFalse(written.contains(secret), "the password is in no server log line")
        XCTAssertFalse(written.contains("drop role lens_analyst"), "not even part of it")
        XCTAssertEqual(try conn.query("select current_setting('lens.analyst_verifier', true)").rows.first?.first ?? nil, "",
                       "the verifier does not outlive the transaction")

        // the private cluster trusts its socket; ask lens_analyst for a password there meanwhile
        let hba = cluster.dataDir + "/pg_hba.conf"
        let original = try String(contentsOfFile: hba, encoding: .utf8)
        try ("local all lens_analyst scram-sha-256\n" + original).write(toFile: hba, atomically: false, encoding: .utf8)
        defer {
            try? original.write(toFile: hba, atomically: false, encoding: .utf8)
            _ = try? conn.query("select pg_reload_conf()")
            waitUntil { (try? PGConnection(conninfo: AnalystRole.conninfo(from: cluster.conninfo)))?.close() != nil }
        }
        _ = try conn.query("select pg_reload_conf()")
        let analyst = AnalystRole.conninfo(from: cluster.conninfo)
        // the postmaster rereads pg_hba.conf on its own time: wait until a wrong password is refused
        waitUntil { (try? PGConnection(conninfo: analyst + " password=wrong")) == nil }
        XCTAssertThrowsError(try PGConnection(conninfo: analyst + " password=wrong")) { error in
            XCTAssertTrue("\(error)".contains("password authentication failed for user \"lens_analyst\""), "\(error)")
        }
        XCTAssertThrowsError(try PGConnection(conninfo: analyst), "no password, no login")
        let session = try PGConnection(conninfo: analyst + " password='" + secret.replacingOccurrences(of: "'", with: "\\'") + "'")
        XCTAssertEqual(try session.query("select current_user").rows, [["lens_analyst"]])
        session.close()

        let group = try AnalystRole.setup(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog", login: .groupOnly)
        XCTAssertFalse(group.canLogin)
        XCTAssertEqual(try conn.query("select rolpassword is null from pg_authid where rolname = 'lens_analyst'").rows, [["t"]])
        _ = try AnalystRole.setup(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog", login: .noPassword)
    }

    /// Polls `done` every 50 ms for up to 10 s (server reloads are asynchronous).
    private func waitUntil(_ done: () -> Bool) {
        for _ in 0..<200 where !done() { usleep(50_000) }
    }

    func testAnalystConninfoReplacesTheUserAndDropsThePassword() {
        XCTAssertEqual(AnalystRole.conninfo(from: "host=/tmp/x port=5499 dbname=lens user=postgres"),
                       "host=/tmp/x port=5499 dbname=lens user=lens_analyst")
        XCTAssertEqual(AnalystRole.conninfo(from: "postgresql://etl:pw@db.internal:5432/warehouse"),
                       "postgresql://lens_analyst@db.internal:5432/warehouse")
        XCTAssertEqual(AnalystRole.conninfo(from: "postgresql://db.internal/warehouse"), "postgresql://lens_analyst@db.internal/warehouse")
    }
}
