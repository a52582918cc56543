import Foundation
import XCTest

/// Skips that say why and how to enable the test, counted by reason: the run ends with one line
/// `skipped: N (reason: n, ...)` so that a run that quietly skipped a layer is visible.
///
/// One copy for every test target (the LensTestSupport target); the first skip registers the one
/// observer of the process.
public enum Skip {
    /// An `XCTSkip` whose message starts with `reason` (the key of the summary) and continues
    /// with `enable`, what to do to run the test. Throw it.
    public static func because(_ reason: String, enable: String) -> XCTSkip {
        SkipSummaryObserver.registerOnce()
        NotificationCenter.default.post(name: SkipSummaryObserver.reasonNotification, object: nil,
                                        userInfo: ["reason": reason])
        return XCTSkip("\(reason): \(enable)")
    }

    /// A skip for GroupLens's own files (not redistributable, so never in the repository).
    public static func groupLens(_ relative: String, at path: String) -> XCTSkip {
        let name = (relative as NSString).lastPathComponent
        return because("needs GroupLens \(name)",
                       enable: "\(path) is absent; set LENS_SHARED to a folder holding \(relative) (from grouplens.org)")
    }

    /// A skip for an opt-in benchmark.
    public static func unlessBenchmark() throws {
        guard ProcessInfo.processInfo.environment["LENS_BENCH"] == "1" else {
            throw because("opt-in benchmark LENS_BENCH=1", enable: "set LENS_BENCH=1 to run the benchmarks")
        }
    }
}

/// Counts the skipped tests by the reason `Skip` reported while they ran ("other" for a plain
/// `XCTSkip`) and prints the one summary line when the bundle finishes.
// @unchecked Sendable (the notification block holds it): `pending`, `counts` and `total` are read
// and written under `lock`; `token` is set once, before the observer is registered anywhere.
final class SkipSummaryObserver: NSObject, XCTestObservation, @unchecked Sendable {
    static let reasonNotification = Notification.Name("lens.tests.skip-reason")
    private static let flag = "LENS_TESTS_SKIP_OBSERVER"
    private static let lock = NSLock()

    private let lock = NSLock()
    private var pending: String?
    private var counts: [String: Int] = [:]
    private var token: NSObjectProtocol?

    /// Registers the observer unless a copy in another module already did.
    static func registerOnce() {
        lock.lock()
        defer { lock.unlock() }
        guard getenv(flag) == nil else { return }
        setenv(flag, "1", 1)
        let observer = SkipSummaryObserver()
        observer.token = NotificationCenter.default.addObserver(forName: reasonNotification, object: nil, queue: nil) {
            [weak observer] note in
            guard let reason = note.userInfo?["reason"] as? String else { return }
            observer?.lock.lock()
            observer?.pending = reason
            observer?.lock.unlock()
        }
        XCTestObservationCenter.shared.addTestObserver(observer)
    }

    func testCaseWillStart(_ testCase: XCTestCase) {
        lock.lock()
        pending = nil
        lock.unlock()
    }

    func testCaseDidFinish(_ testCase: XCTestCase) {
        guard testCase.testRun?.hasBeenSkipped == true else { return }
        lock.lock()
        counts[pending ?? "other (a plain XCTSkip)", default: 0] += 1
        pending = nil
        lock.unlock()
    }

    /// The skips of the whole run, read off the outermost suite (it also counts the skips that
    /// happened before this observer was registered, which `counts` cannot attribute).
    private var total: Int?

    func testSuiteDidFinish(_ testSuite: XCTestSuite) {
        guard let run = testSuite.testRun else { return }
        lock.lock()
        total = max(total ?? 0, run.skipCount)
        lock.unlock()
    }

    func testBundleDidFinish(_ testBundle: Bundle) {
        lock.lock()
        defer { lock.unlock() }
        var all = counts
        let unattributed = (total ?? 0) - all.values.reduce(0, +)
        if unattributed > 0 { all["other (a plain XCTSkip)", default: 0] += unattributed }
        print(Self.line(all))
    }

    /// `skipped: 12 (needs GroupLens ml-latest-small: 9, opt-in benchmark LENS_BENCH=1: 3)`, the
    /// largest reasons first.
    static func line(_ counts: [String: Int]) -> String {
        let total = counts.values.reduce(0, +)
        let parts = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key): \($0.value)" }
        return "skipped: \(total)" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}
