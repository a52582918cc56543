import Foundation
import XCTest
import LensTestSupport

/// Protects two guards around a run: a zip whose published `.md5` does not match is refused
/// before anything is read or loaded, and a second writer is refused while another holds the
/// warehouse lock (never interleaving), naming the holder and recorded as refused, unless it
/// was told to `--wait`.
final class GuardsTests: XCTestCase {
    func testZipWithAWrongPublishedMD5IsRefused() throws {
        let zip = CLI.shared + "/movielens/ml-latest-small.zip"
        guard FileManager.default.fileExists(atPath: zip) else { throw Skip.groupLens("movielens/ml-latest-small.zip", at: zip) }
        let dir = CLI.tempDir("md5")
        let copy = dir + "/ml-latest-small.zip"
        try FileManager.default.copyItem(atPath: zip, toPath: copy)
        try "0123456789abcdef0123456789abcdef  ml-latest-small.zip\n".write(toFile: copy + ".md5", atomically: true, encoding: .utf8)
        let out = dir + "/out"
        let (status, _, err) = try CLI.lens(["run", "--source", copy, "--out", out, "--no-load"])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(err.contains("does not match the published 0123456789abcdef0123456789abcdef"), err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        // The right digest lets it through.
        let (s2, md5, _) = try CLI.run(["md5sum", copy])
        XCTAssertEqual(s2, 0)
        try md5.write(toFile: copy + ".md5", atomically: true, encoding: .utf8)
        let (s3, _, e3) = try CLI.lens(["run", "--source", copy, "--out", out, "--no-load"])
        XCTAssertEqual(s3, 0, e3)
    }

    func testASecondWriterIsRefusedWhileTheLockIsHeld() throws {
        let db = CLI.cluster.conninfo
        let (s0, _, e0) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("g0"), "--database", db,
                                        "--hold-back-buffer", "--allow-shrink"])
        XCTAssertEqual(s0, 0, e0)
        // Another writer: a session holding lens's advisory lock ("lens" in ASCII) for a while.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["psql", db, "-Xq", "-c", "select pg_advisory_lock(\(0x6C_656E_73)); select pg_sleep(30);"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        // Killing psql does not end its backend's pg_sleep: end the backend too, and wait until
        // the lock is free, so that the tests after this one find the warehouse idle.
        defer {
            holder.terminate()
            _ = try? CLI.scalar("select count(pg_terminate_backend(pid)) from pg_locks where locktype = 'advisory' and granted")
            for _ in 0..<100 where (try? CLI.scalar("select count(*) from pg_locks where locktype = 'advisory'")) != "0" {
                usleep(50_000)
            }
        }
        var held = false
        for _ in 0..<100 where !held {
            held = (try? CLI.scalar("select count(*) from pg_locks where locktype = 'advisory' and granted")) == "1"
            if !held { usleep(50_000) }
        }
        XCTAssertTrue(held)
        let (status, _, err) = try CLI.lens(["append", "--batch", "1", "--database", db])
        XCTAssertEqual(status, 2)
        XCTAssertTrue(err.contains("warehouse busy: another lens run, load or append is writing to this database"), err)
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings where split = 'buffer'"), "0", "nothing appended")
        XCTAssertTrue(err.contains("application 'psql'"), "the holder is named: \(err)")
        XCTAssertEqual(try CLI.scalar("select command || ' ' || status || ' ' || (error like 'warehouse busy:%') from lens_catalog.runs order by run_id desc limit 1"),
                       "append refused true", "the refused writer is in the catalog")
    }

    /// Protects `--wait`: a writer waits for the lock (saying who holds it) and goes on once the
    /// holder is done, instead of failing.
    func testAWriterWithWaitGoesOnWhenTheLockIsReleased() throws {
        let db = CLI.cluster.conninfo
        let (s0, _, e0) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("w0"), "--database", db,
                                        "--hold-back-buffer", "--allow-shrink", "--force"])
        XCTAssertEqual(s0, 0, e0)
        // A holder that lets go after 6 seconds (the lock ends with its session).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["psql", db, "-Xq", "-c", "select pg_advisory_lock(\(0x6C_656E_73)); select pg_sleep(6);"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { holder.waitUntilExit() }
        var held = false
        for _ in 0..<100 where !held {
            held = (try? CLI.scalar("select count(*) from pg_locks where locktype = 'advisory' and granted")) == "1"
            if !held { usleep(50_000) }
        }
        XCTAssertTrue(held)
        let (status, _, err) = try CLI.lens(["append", "--next", "--wait", "--database", db])
        XCTAssertEqual(status, 0, err)
        XCTAssertTrue(err.contains("s for the warehouse lock held by pid"), err)
        XCTAssertTrue(err.contains("application 'psql'"), err)
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings where batch = 1"), "300")
    }
}
