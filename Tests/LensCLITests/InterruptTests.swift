import Foundation
import XCTest

/// Protects a clean stop on SIGINT/SIGTERM: a message on stderr, the load rolled back (the
/// previous version current), lens's own `.partial` removed, the run recorded `interrupted`,
/// exit 130/143. And: a run left `running` by a process that died is shown as interrupted by
/// the next command that opens the catalog, not only by the next writer. And `--force`.
final class InterruptTests: XCTestCase {
    let sample = CLI.repo + "/data/sample"

    /// Starts `lens args`, waits until it pauses at `point` (LENS_TEST_PAUSE_AT), sends `sig`,
    /// and returns (exit code, stderr).
    private func interrupt(_ args: [String], at point: String, with sig: Int32) throws -> (Int32, String) {
        let pauseFile = CLI.tempDir("pause") + "/paused"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging([
            "LENS_HOME": CLI.home, "LENS_SQL_DIR": CLI.repo + "/sql",
            "LENS_TEST_PAUSE_AT": point, "LENS_TEST_PAUSE_FILE": pauseFile,
        ]) { $1 }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: pauseFile) && p.isRunning && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: pauseFile), "the run never reached \(point)")
        kill(p.processIdentifier, sig)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    /// SIGINT inside the publishing transaction: exit 130, the version is not published, the
    /// run is `interrupted`, and the loading schema's transaction was rolled back.
    func testSigintDuringThePublishRollsBack() throws {
        let db = CLI.cluster.conninfo
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("int-v1"), "--database", db, "--allow-shrink", "--force"])
        XCTAssertEqual(s0, 0, e0)
        let currentBefore = try CLI.scalar("select version from lens_catalog.versions where is_current")
        let (status, err) = try interrupt(["run", "--source", sample, "--out", CLI.tempDir("int-v2"), "--database", db, "--force"],
                                          at: "before_commit", with: SIGINT)
        XCTAssertEqual(status, 130, err)
        XCTAssertTrue(err.contains("lens: SIGINT received: stopping"), err)
        XCTAssertTrue(err.contains("recorded as interrupted; its load was rolled back and the previous version stays current"), err)
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), currentBefore)
        XCTAssertEqual(try CLI.scalar("select status || ': ' || error from lens_catalog.runs order by run_id desc limit 1"),
                       "interrupted: interrupted by SIGINT; the load was rolled back and the previous version stays current")
        XCTAssertEqual(try CLI.scalar("select count(*) from pg_stat_activity where state like 'idle in transaction%'"), "0")
    }

    /// SIGTERM while the Parquet files are written: exit 143, `.partial` gone, the previous
    /// export untouched.
    func testSigtermDuringParquetRemovesThePartialFolder() throws {
        let out = CLI.tempDir("int-parquet") + "/export"
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", out, "--no-load"])
        XCTAssertEqual(s0, 0, e0)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))
        let (status, err) = try interrupt(["run", "--source", sample, "--out", out, "--no-load", "--force"],
                                          at: "parquet_partial_created", with: SIGTERM)
        XCTAssertEqual(status, 143, err)
        XCTAssertTrue(err.contains("lens: removed the unfinished export \(out).partial"), err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")), manifest)
    }

    /// A run killed outright (SIGKILL) stays `running` only until any command reads the catalog
    /// while no writer holds the warehouse lock.
    func testADeadRunIsMarkedByTheNextReader() throws {
        let db = CLI.cluster.conninfo
        let (status, _, _) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("int-dead"), "--database", db, "--force",
                                           "--allow-shrink"], env: ["LENS_TEST_KILL_AT": "after_copy"])
        XCTAssertEqual(status, SIGKILL, "killed at after_copy")
        let run = try CLI.scalar("select max(run_id) from lens_catalog.runs")
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs where run_id = \(run)"), "running")
        // While some writer holds the warehouse lock, a 'running' row may be alive: left alone.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["psql", db, "-Xq", "-c", "select pg_advisory_lock(\(0x6C_656E_73)); select pg_sleep(3);"]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        var held = false
        for _ in 0..<100 where !held {
            held = (try? CLI.scalar("select count(*) from pg_locks where locktype = 'advisory' and granted")) == "1"
            if !held { usleep(50_000) }
        }
        XCTAssertTrue(held)
        let (s0, _, e0) = try CLI.lens(["catalog", "--database", db])
        XCTAssertEqual(s0, 0, e0)
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs where run_id = \(run)"), "running")
        holder.waitUntilExit()
        let (s1, _, e1) = try CLI.lens(["catalog", "--database", db])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs where run_id = \(run)"), "interrupted")
    }

    /// A drop edited in place with its size and mtime restored is not "nothing changed"; and
    /// `--force` runs every stage on an unchanged drop.
    func testAnInPlaceEditIsSeenAndForceRecomputes() throws {
        let dir = CLI.tempDir("force")
        let d = dir + "/drop"
        try FileManager.default.copyItem(atPath: sample, toPath: d)
        let out = dir + "/out"
        let (s0, _, e0) = try CLI.lens(["run", "--source", d, "--out", out, "--no-load"])
        XCTAssertEqual(s0, 0, e0)
        let (s1, _, e1) = try CLI.lens(["run", "--source", d, "--out", out, "--no-load", "--force"])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertFalse(e1.contains("skipped"), e1)
        XCTAssertTrue(e1.contains("lens: parquet done"), e1)

        // Same length, same mtime: 1,31,3.0 -> 1,31,4.0 on the first data line.
        let path = d + "/ratings.csv"
        let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n1,31,3.0,", with: "\n1,31,4.0,")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
        let (s2, _, e2) = try CLI.lens(["run", "--source", d, "--out", out, "--no-load"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(e2.contains("lens: ingest_clean done"), e2)
    }
}
