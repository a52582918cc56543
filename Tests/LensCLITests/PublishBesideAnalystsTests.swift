import Foundation
import XCTest

/// Protects publishing beside analysts: with a session idle in a transaction that read
/// `movielens.ratings` (a SQL client in manual-commit mode), the publish waits in short
/// lock_timeout attempts, says who blocks it, and never makes new analyst queries queue behind it;
/// it publishes once the session ends, and after `--publish-lock-deadline` fails with exit 2
/// naming the blocker, the previous version still current and nothing of the new one left.
final class PublishBesideAnalystsTests: XCTestCase {
    /// psql with a transaction open: `begin; select count(*) from movielens.ratings;`, then idle.
    final class IdleReader {
        let process = Process()
        let input = Pipe()
        static let application = "lens_test_reader"

        init() throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["psql", CLI.cluster.conninfo, "-Xq", "-v", "ON_ERROR_STOP=1"]
            var env = ProcessInfo.processInfo.environment
            env["PGAPPNAME"] = Self.application
            process.environment = env
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data("begin;\nselect count(*) from movielens.ratings;\n".utf8))
        }

        /// The backend's pid once it holds its lock on movielens.ratings (nil after 30 s).
        func waitForLock() throws -> Int? {
            for _ in 0..<600 {
                let pid = try CLI.scalar("""
                    select a.pid from pg_locks l join pg_class c on c.oid = l.relation join pg_stat_activity a on a.pid = l.pid
                    where a.application_name = '\(Self.application)' and l.granted and c.relname = 'ratings'
                      and c.relnamespace = 'movielens'::regnamespace and a.state = 'idle in transaction'
                    """)
                if let p = Int(pid) { return p }
                usleep(50_000)
            }
            return nil
        }

        /// Commits and quits.
        func end() {
            input.fileHandleForWriting.write(Data("commit;\n\\q\n".utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// `lens args...` in the background with stderr in a file.
    final class Background {
        let process = Process()
        let errPath: String

        init(_ args: [String]) throws {
            errPath = CLI.tempDir("bg") + "/stderr"
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = args
            var env = ProcessInfo.processInfo.environment
            env.removeValue(forKey: "DATABASE_URL")
            env["LENS_HOME"] = CLI.home
            env["LENS_SQL_DIR"] = CLI.repo + "/sql"
            process.environment = env
            process.currentDirectoryURL = URL(fileURLWithPath: CLI.repo)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: errPath)
            try process.run()
        }

        var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

        /// True once stderr contains `text` (false after `seconds` or when the process ended first).
        func waitFor(_ text: String, seconds: Double) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if stderr.contains(text) { return true }
                if !process.isRunning { return stderr.contains(text) }
                usleep(100_000)
            }
            return false
        }
    }

    /// Loads data/sample with `dropDate` (a new version whatever ran before) and returns the current version.
    func loadVersion(dropDate: String) throws -> Int {
        let (s, _, e) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("pub"),
                                      "--database", CLI.cluster.conninfo, "--drop-date", dropDate])
        XCTAssertEqual(s, 0, e)
        return Int(try CLI.scalar("select version from lens_catalog.versions where is_current")) ?? -1
    }

    /// The publish of version 2 waits for the idle reader and says so, naming it; meanwhile a new
    /// reader's `select count(*) from movielens.movies` is answered from version 1 within 1 s (three
    /// times, spread over the retries); once the idle reader commits, version 2 is published.
    func testPublishWaitsForAnIdleReaderWithoutFreezingOthers() throws {
        let first = try loadVersion(dropDate: "2031-05-05")
        let movies = try CLI.scalar("select count(*) from movielens.movies")
        let reader = try IdleReader()
        var ended = false
        defer { if !ended { reader.end() } }
        let pid = try XCTUnwrap(try reader.waitForLock(), "the reader holds its lock")

        let run = try Background(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("pub2"),
                                  "--database", CLI.cluster.conninfo, "--drop-date", "2031-05-06"])
        defer { if run.process.isRunning { run.process.terminate() } }
        XCTAssertTrue(run.waitFor("lens: publish waiting", seconds: 180), run.stderr)
        XCTAssertTrue(run.stderr.contains("for locks held by pid \(pid) (user "), run.stderr)
        XCTAssertTrue(run.stderr.contains("application '\(IdleReader.application)', idle in transaction since "), run.stderr)
        XCTAssertTrue(run.stderr.contains("holding movielens.ratings); analyst queries keep running, retrying"), run.stderr)

        for _ in 0..<3 {
            let start = Date()
            let (s, out, e) = try CLI.run(["psql", CLI.cluster.conninfo, "-XAtq", "-c", "select count(*) from movielens.movies"],
                                          env: ["PGAPPNAME": "lens_test_reader2"])
            let seconds = Date().timeIntervalSince(start)
            XCTAssertEqual(s, 0, e)
            XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), movies)
            XCTAssertLessThan(seconds, 1.0, "a new analyst query does not queue behind the waiting publish")
            usleep(300_000)
        }
        XCTAssertTrue(run.process.isRunning, "still waiting: " + run.stderr)
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), String(first))

        reader.end()
        ended = true
        run.process.waitUntilExit()
        XCTAssertEqual(run.process.terminationStatus, 0, run.stderr)
        let current = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertEqual(current, try CLI.scalar("select max(version) from lens_catalog.versions"))
        XCTAssertNotEqual(current, String(first))
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.movies"), movies)
    }

    /// With a 1 s deadline the run fails with exit 2 naming the blocker's pid and application;
    /// version 1 stays current, and no schema of the unpublished version remains.
    func testPublishGivesUpAfterTheDeadlineNamingTheBlocker() throws {
        let first = try loadVersion(dropDate: "2031-06-06")
        let next = Int(try CLI.scalar("select max(version) + 1 from lens_catalog.versions"))!
        let reader = try IdleReader()
        defer { reader.end() }
        let pid = try XCTUnwrap(try reader.waitForLock(), "the reader holds its lock")

        let (s, _, e) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("pub3"),
                                      "--database", CLI.cluster.conninfo, "--drop-date", "2031-06-07", "--publish-lock-deadline", "1"])
        XCTAssertEqual(s, 2, e)
        XCTAssertTrue(e.contains("lens: warehouse busy: version \(next) was not published: for "), e)
        XCTAssertTrue(e.contains("s (publish.lock_deadline_seconds) analyst sessions held locks on the `movielens` views it replaces: pid \(pid) (user "), e)
        XCTAssertTrue(e.contains("application '\(IdleReader.application)', idle in transaction since "), e)
        XCTAssertTrue(e.contains("holding movielens.ratings). The previous version is still current and the loaded data was dropped."), e)
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), String(first))
        XCTAssertEqual(try CLI.scalar("select count(*) from lens_catalog.versions where version = \(next)"), "0")
        XCTAssertEqual(try CLI.scalar("select count(*) from pg_namespace where nspname in ('lens_v\(next)', 'lens_v\(next)_loading')"), "0")
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs order by run_id desc limit 1"), "failed")
    }

    /// `--terminate-blockers` with a 0 s deadline ends the idle reader's session (its transaction
    /// rolls back), says so naming it, and publishes the new version.
    func testTerminateBlockersEndsTheIdleReaderAndPublishes() throws {
        let first = try loadVersion(dropDate: "2031-07-07")
        let reader = try IdleReader()
        defer { reader.end() }
        let pid = try XCTUnwrap(try reader.waitForLock(), "the reader holds its lock")

        let (s, _, e) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("pub4"),
                                      "--database", CLI.cluster.conninfo, "--drop-date", "2031-07-08",
                                      "--publish-lock-deadline", "0", "--terminate-blockers"])
        XCTAssertEqual(s, 0, e)
        XCTAssertTrue(e.contains("lens: publish deadline (0 s) passed: terminated pid \(pid) (user "), e)
        XCTAssertTrue(e.contains("application '\(IdleReader.application)', idle in transaction since "), e)
        XCTAssertTrue(e.contains("holding movielens.ratings) (--terminate-blockers); retrying"), e)
        XCTAssertEqual(try CLI.scalar("select count(*) from pg_stat_activity where pid = \(pid)"), "0", "the reader's session is gone")
        let current = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertEqual(current, try CLI.scalar("select max(version) from lens_catalog.versions"))
        XCTAssertNotEqual(current, String(first))
    }
}
