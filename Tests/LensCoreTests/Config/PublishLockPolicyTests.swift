import XCTest
@testable import LensCore

/// Protects the `[publish]` keys of a pipeline file (lock_timeout_ms, lock_deadline_seconds):
/// their defaults, that they are read, their range errors, and the retry backoff they drive.
final class PublishLockPolicyTests: XCTestCase {
    func testKeysDefaultsAndErrors() throws {
        XCTAssertEqual(PipelineConfig().publish, PublishLockPolicy(lockTimeoutMilliseconds: 200, deadlineSeconds: 300))
        let c = try PipelineConfig.parse(text: "[publish]\nlock_timeout_ms = 50\nlock_deadline_seconds = 2.5\n", file: "p.toml")
        XCTAssertEqual(c.publish, PublishLockPolicy(lockTimeoutMilliseconds: 50, deadlineSeconds: 2.5))
        XCTAssertEqual(try PipelineConfig.parse(text: "[publish]\nlock_deadline_seconds = 0\n", file: "p.toml").publish.lockTimeoutMilliseconds,
                       200, "a missing key keeps its default")
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[publish]\nlock_timeout_ms = 0\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: publish.lock_timeout_ms must be 1...60000")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[publish]\nlock_deadline_seconds = -1\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: publish.lock_deadline_seconds must be 0 or more")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[publish]\nlock_timeout_ms = 0.5\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: 'publish.lock_timeout_ms' must be a whole number")
        }
    }

    /// Pauses between attempts: 0.25 s doubling, capped at 5 s.
    func testBackoff() {
        let p = PublishLockPolicy()
        XCTAssertEqual((1...8).map { p.backoffSeconds(afterAttempt: $0) }, [0.25, 0.5, 1, 2, 4, 5, 5, 5])
    }
}
