import Foundation
import XCTest
import LensCore

/// Protects "memory is known before work starts": `lens run` on a drop whose estimated peak
/// exceeds the memory available (simulated with LENS_MEMORY_AVAILABLE_BYTES) exits 2 before any
/// stage, names both numbers, and writes nothing; `--ignore-memory-check` runs it anyway.
final class MemoryCheckTests: XCTestCase {
    func testRunRefusesADropBiggerThanTheMemoryAvailable() throws {
        let drop = CLI.repo + "/data/sample"
        let out = CLI.tempDir("memory") + "/out"
        let env = [MemoryBudget.environmentVariable: "1000000"]
        let (status, stdout, err) = try CLI.lens(["run", "--source", drop, "--out", out, "--no-load"], env: env)
        XCTAssertEqual(status, 2, err)
        XCTAssertEqual(stdout, "")
        // The same text the core renders for this drop and this ceiling.
        let size = try MemoryBudget.measure(try DropSource.open(path: drop))
        var expected = ""
        XCTAssertThrowsError(try MemoryBudget.check(
            drop: drop, size: size, available: .init(bytes: 1_000_000, source: MemoryBudget.environmentVariable))) {
            expected = "\($0)"
        }
        XCTAssertEqual(err.trimmingCharacters(in: .whitespacesAndNewlines), "lens: " + expected)
        XCTAssertTrue(err.contains("but 1 MB (1000000 bytes) is available (LENS_MEMORY_AVAILABLE_BYTES)"), err)
        XCTAssertTrue(err.contains("bytes per rating"), err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"), "nothing written")

        let (s2, _, e2) = try CLI.lens(["run", "--source", drop, "--out", out, "--no-load", "--ignore-memory-check"], env: env)
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/manifest.json"))
    }
}
