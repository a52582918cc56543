import Foundation
import XCTest
import LensCore

/// Shared fixtures of the CLI tests: the built `lens` binary, a private PostgreSQL cluster
/// started once per test process (under $LENS_TEST_HOME or /tmp, reachable by the postgres user
/// when the tests run as root), and a runner that captures stdout, stderr and the exit code.
enum CLI {
    /// The repository root.
    static let repo: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path
    /// ../shared beside the repository.
    static let shared = ProcessInfo.processInfo.environment["LENS_SHARED"] ?? (repo as NSString).deletingLastPathComponent + "/shared"

    /// `lens` next to the test bundle (swift test builds it with the tests).
    static var binary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("lens").path, dir.deletingLastPathComponent().appendingPathComponent("lens").path]
            where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return repo + "/.build/debug/lens"
    }

    /// One state folder for this test process.
    static let home: String = {
        let base = ProcessInfo.processInfo.environment["LENS_TEST_HOME"] ?? "/tmp"
        let dir = base + "/cli-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o755)
        return dir
    }()

    /// The private cluster of this test process, started on first use.
    static let cluster: LocalCluster = {
        let c = LocalCluster(stateDir: home)
        do { try c.start() } catch { fatalError("cannot start the test cluster: \(error)") }
        atexit { try? LocalCluster(stateDir: CLI.home).stop() }
        return c
    }()

    /// Runs `lens args...` with LENS_HOME and LENS_SQL_DIR set; returns (exit code, stdout, stderr).
    @discardableResult
    static func lens(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        var e = ["LENS_HOME": home, "LENS_SQL_DIR": repo + "/sql"]
        for (k, v) in env { e[k] = v }
        return try run([binary] + args, env: e)
    }

    /// Runs a command, capturing its output.
    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        e.removeValue(forKey: "DATABASE_URL")
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.currentDirectoryURL = URL(fileURLWithPath: repo)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // @unchecked Sendable: filled by the reader thread, read only after `group.wait()`.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }

    /// psql against the test cluster: the single value a query returns.
    static func scalar(_ sql: String, database: String? = nil) throws -> String {
        let (status, out, err) = try run(["psql", database ?? cluster.conninfo, "-XAtq", "-c", sql])
        guard status == 0 else { throw NSError(domain: "psql", code: Int(status), userInfo: [NSLocalizedDescriptionKey: err]) }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fresh temporary folder.
    static func tempDir(_ name: String) -> String {
        let d = home + "/\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
