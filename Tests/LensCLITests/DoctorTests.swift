import Foundation
import XCTest

/// Protects `lens doctor`: each item ok or a problem with its fix, exit 0 only when all are ok,
/// and nothing created (it is a reader).
final class DoctorTests: XCTestCase {
    let sample = CLI.repo + "/data/sample"

    /// Against the test cluster with a fresh --out: every item ok, the server's version named.
    func testAllOkOnAGoodSetup() throws {
        let out = CLI.tempDir("doctor") + "/export"
        let (status, text, err) = try CLI.lens(["doctor", "--database", CLI.cluster.conninfo, "--source", sample, "--out", out])
        XCTAssertEqual(status, 0, text + err)
        let names = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
        XCTAssertEqual(names, ["ok libpq", "ok libzstd", "ok zlib", "ok libcrypto", "ok OpenBLAS/LAPACKE", "ok server",
                               "ok create", "ok server", "ok out", "ok out", "ok memory"], text)
        let version = try CLI.scalar("show server_version")
        XCTAssertTrue(text.contains("server            PostgreSQL \(version), database"), text)
        XCTAssertTrue(text.contains("15435 ratings need about 142 MB"), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "doctor creates nothing")
    }

    /// A user's folder as --out, too little memory and an unreachable server: three problems,
    /// each with its fix, exit 1; the JSON says the same.
    func testProblemsComeWithTheirFix() throws {
        let out = CLI.tempDir("doctor-user")
        try "mine\n".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        let args = ["doctor", "--database", "host=/nonexistent-socket-dir dbname=x connect_timeout=2", "--source", sample, "--out", out]
        let env = ["LENS_MEMORY_AVAILABLE_BYTES": "1000000"]
        let (status, text, _) = try CLI.lens(args, env: env)
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.contains("PROBLEM  server"), text)
        XCTAssertTrue(text.contains("fix: check that the server runs and the connection string (--database) is right"), text)
        XCTAssertTrue(text.contains("PROBLEM  out folder        lens: \(out): error: refusing") || text.contains("PROBLEM  out folder        \(out): error: refusing"), text)
        XCTAssertTrue(text.contains("fix: choose a new or empty folder with --out"), text)
        XCTAssertTrue(text.contains("PROBLEM  memory            15435 ratings need about 142 MB; 1 MB available (LENS_MEMORY_AVAILABLE_BYTES)"), text)

        let (s2, json, _) = try CLI.lens(args + ["--format", "json"], env: env)
        XCTAssertEqual(s2, 1)
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(report["ok"] as? Bool, false)
        let problems = (report["items"] as! [[String: Any]]).filter { $0["ok"] as? Bool == false }.map { $0["name"] as! String }
        XCTAssertEqual(problems, ["server", "out folder", "memory"])
    }
}
