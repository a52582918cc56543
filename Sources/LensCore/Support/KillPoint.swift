import Foundation

/// Test-only fault injection: when `LENS_TEST_KILL_AT` names this point, the process sends
/// itself SIGKILL there, as a crash or an OOM kill would. Lets the recovery tests stop a run at
/// every stage boundary and inside the load. Costs one environment lookup per point.
enum KillPoint {
    static let target = ProcessInfo.processInfo.environment["LENS_TEST_KILL_AT"]

    /// Dies here when the test asked for it.
    static func check(_ point: String) {
        if target == point { kill(getpid(), SIGKILL) }
    }
}
