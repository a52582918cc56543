import Foundation
import PGClient
import XCTest
#if canImport(LensCore)
import LensCore
#else
import LensWarehouseDev  // the PGClient developer's private package compiles LocalCluster.swift alone
#endif

/// The private PostgreSQL cluster lens starts when no database is configured. These tests run a
/// real server (Debian's postgresql package) in a temporary state folder under /tmp.
final class LocalClusterTests: XCTestCase {
    private var stateDir: String!
    private var cluster: LocalCluster!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/usr/lib/postgresql"),
                          "PostgreSQL server programs are not installed (apt-get install postgresql)")
        stateDir = NSTemporaryDirectory() + "lens-cluster-test-\(UUID().uuidString.prefix(8))/.lens"
        cluster = LocalCluster(stateDir: stateDir)
    }

    override func tearDownWithError() throws {
        if let cluster {
            try? cluster.stop()
        }
        if let stateDir {
            try? FileManager.default.removeItem(atPath: (stateDir as NSString).deletingLastPathComponent)
        }
    }

    /// Protects the whole life cycle: initdb on first start, a usable `lens` database over the Unix
    /// socket, stop, and a second start that reuses the data instead of creating a new cluster.
    func testStartConnectStopAndRestartReusesData() throws {
        XCTAssertEqual(cluster.status(), .notInitialised)
        try cluster.start()
        guard case .running(let pid) = cluster.status() else {
            return XCTFail("expected running, got \(cluster.status())")
        }
        XCTAssertGreaterThan(pid, 0)

        let conn = try PGConnection(conninfo: cluster.conninfo)
        XCTAssertEqual(try conn.query("SELECT current_database()").rows, [["lens"]])
        XCTAssertGreaterThanOrEqual(conn.serverVersion, 100_000)
        try conn.execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
        // bulk-load settings are in force
        XCTAssertEqual(try conn.query("SHOW wal_level").rows, [["minimal"]])
        XCTAssertEqual(try conn.query("SHOW listen_addresses").rows, [[""]])
        XCTAssertEqual(try conn.query("SHOW fsync").rows, [["on"]])
        XCTAssertEqual(try conn.query("SHOW maintenance_work_mem").rows, [["1GB"]])
        conn.close()

        try cluster.stop()
        XCTAssertEqual(cluster.status(), .stopped)
        XCTAssertThrowsError(try PGConnection(conninfo: cluster.conninfo), "the server should be gone")

        try cluster.start()
        let again = try PGConnection(conninfo: cluster.conninfo)
        XCTAssertEqual(try again.query("SELECT v FROM kept").rows, [["42"]], "data survives a restart")
        again.close()
    }

    /// Protects idempotence: starting a running cluster is a no-op (same postmaster), stopping a
    /// stopped one too.
    func testStartTwiceIsNoOpAndStopTwiceToo() throws {
        try cluster.start()
        let first = cluster.status()
        try cluster.start()
        XCTAssertEqual(cluster.status(), first)
        try cluster.stop()
        try cluster.stop()
        XCTAssertEqual(cluster.status(), .stopped)
    }

    /// Protects the URL form: libpq accepts it and reaches the same database.
    func testURLConnects() throws {
        try cluster.start()
        XCTAssertTrue(cluster.url.hasPrefix("postgresql://postgres@%2F"), cluster.url)
        let conn = try PGConnection(conninfo: cluster.url)
        XCTAssertEqual(try conn.query("SELECT current_database()").rows, [["lens"]])
    }

    /// Protects the socket-only layout: the socket lives in the state folder's run/ (not /tmp or
    /// /var/run), and a too-long path falls back to a short private folder.
    func testSocketLayout() {
        XCTAssertEqual(cluster.socketDir, stateDir + "/run")
        XCTAssertEqual(cluster.dataDir, stateDir + "/postgres")
        XCTAssertTrue(cluster.conninfo.contains("host=\(stateDir!)/run"), cluster.conninfo)
        XCTAssertTrue(cluster.conninfo.contains("port=5499"))
        let deep = LocalCluster(stateDir: "/tmp/" + String(repeating: "very-long-folder-name/", count: 6) + ".lens")
        XCTAssertTrue(deep.socketDir.hasPrefix("/tmp/lens-pg-"), deep.socketDir)
        XCTAssertLessThan(deep.socketDir.utf8.count, 60)
    }

    /// Protects the start-failure message: it carries the server log's last lines (here: an
    /// unknown setting in postgresql.auto.conf), so the user sees why without hunting for the log.
    func testStartFailureShowsTheServerLog() throws {
        try cluster.start()
        try cluster.stop()
        let auto = cluster.dataDir + "/postgresql.auto.conf"
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: auto))
        handle.seekToEndOfFile()
        handle.write("lens_test_bogus_setting = 1\n".data(using: .utf8)!)
        try handle.close()
        XCTAssertThrowsError(try cluster.start()) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("lens_test_bogus_setting"), text)
            XCTAssertTrue(text.contains(cluster.logPath), text)
        }
        XCTAssertEqual(cluster.status(), .stopped)
    }

    /// Protects the message for a machine without PostgreSQL: it names the package to install.
    func testMissingPostgresSaysWhatToInstall() throws {
        let missing = LocalCluster(stateDir: stateDir, postgresRoot: "/nonexistent/postgresql")
        XCTAssertThrowsError(try missing.start()) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("apt-get install postgresql"), text)
        }
    }

    /// Protects the root pitfall: PostgreSQL runs as `postgres`, which must be able to enter every
    /// parent folder; a 0700 parent gives an error naming that folder and the chmod that fixes it.
    func testUntraversableParentIsNamedWhenRoot() throws {
        try XCTSkipUnless(geteuid() == 0, "only root hands the server to the postgres user")
        let parent = (stateDir as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let closed = LocalCluster(stateDir: stateDir)
        XCTAssertThrowsError(try closed.start()) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("chmod o+x \(parent)"), text)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: parent)
    }
}
