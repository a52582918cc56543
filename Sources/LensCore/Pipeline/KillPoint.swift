import Foundation

/// Test-only fault injection: when `LENS_TEST_KILL_AT` names this point, the process sends
/// itself SIGKILL there, as a crash or an OOM kill would. Lets the recovery tests stop a run at
/// every stage boundary and inside the load. When `LENS_TEST_PAUSE_AT` names it, the process
/// creates the file `LENS_TEST_PAUSE_FILE` and waits there until a signal ends it, so that a test
/// can send SIGINT/SIGTERM at a known point. Costs one environment lookup per point.
enum KillPoint {
    static let target = ProcessInfo.processInfo.environment["LENS_TEST_KILL_AT"]
    static let pauseTarget = ProcessInfo.processInfo.environment["LENS_TEST_PAUSE_AT"]

    /// Dies (or pauses) here when the test asked for it.
    static func check(_ point: String) {
        if target == point { kill(getpid(), SIGKILL) }
        if pauseTarget == point {
            if let file = ProcessInfo.processInfo.environment["LENS_TEST_PAUSE_FILE"] {
                _ = FileManager.default.createFile(atPath: file, contents: Data(point.utf8))
            }
            while true { sleep(60) }
        }
    }
}
