import Foundation
import PGClient

/// What a running command leaves behind if the process is told to stop (SIGINT, SIGTERM), and
/// how to undo it: the lens-owned `<out>.partial` being written and the catalog run being
/// recorded, with the server processes of its connections (whose open transaction is the load).
///
/// The work itself runs on the main thread and is not interruptible at arbitrary points; the
/// CLI's signal handler calls `cleanUp` from another thread, then ends the process. Ending the
/// backends first makes the server roll the load back before the run is marked, so the catalog
/// never says `interrupted` about a version that went on to publish.
// @unchecked Sendable: every mutable field is read and written under `lock`.
public final class InterruptCleanup: @unchecked Sendable {
    public static let shared = InterruptCleanup()

    /// What `cleanUp` did, for the message the CLI prints.
    public struct Outcome: Sendable {
        public var removedPartials: [String] = []
        public var runId: Int64?
        /// True when the run row was marked interrupted.
        public var runMarked = false
        /// Why the run could not be marked (the database is down, ...).
        public var problem: String?
    }

    private let lock = NSLock()
    private var exportFolders: [String] = []
    private var run: (target: DatabaseTarget, catalogSchema: String, runId: Int64)?
    private var backendPIDs: [Int32] = []

    /// Registers an export folder whose lens-owned `.partial` must go on interruption.
    public func addExport(out: String) {
        lock.withLock { exportFolders.append(out) }
    }

    /// Registers the catalog run being recorded (replaces any earlier one).
    func setRun(target: DatabaseTarget, catalogSchema: String, runId: Int64) {
        lock.withLock { run = (target, catalogSchema, runId) }
    }

    /// Registers a connection of the run, whose backend is ended first on interruption.
    func addBackend(_ pid: Int32) {
        guard pid != 0 else { return }
        lock.withLock { backendPIDs.append(pid) }
    }

    /// The run finished (or was recorded as failed) by itself: nothing to mark any more.
    func clearRun() {
        lock.withLock {
            run = nil
            backendPIDs = []
        }
    }

    /// Undoes what the registered work left: ends its backends (the server rolls the load back),
    /// marks the run interrupted with `reason`, removes the lens-owned `.partial` folders.
    /// Best effort and bounded: a connection is tried with a 5-second timeout.
    public func cleanUp(reason: String) -> Outcome {
        let (folders, run, pids) = lock.withLock { (exportFolders, self.run, backendPIDs) }
        var outcome = Outcome()
        for out in folders where ExportFolderGuard.removeOwnPartial(out: out) {
            outcome.removedPartials.append(out + ".partial")
        }
        guard let run else { return outcome }
        outcome.runId = run.runId
        do {
            let conn = try PGConnection(conninfo: Self.withConnectTimeout(run.target.conninfo))
            defer { conn.close() }
            let sql = try SQLFiles.locate()
            if !pids.isEmpty {
                let list = "{" + pids.map(String.init).joined(separator: ",") + "}"
                _ = try conn.query(try sql.text("warehouse/terminate_backends.sql"), [list])
                // Wait (up to 5 s) until they are gone: their transactions are rolled back by then.
                for _ in 0..<100 {
                    if try conn.query(try sql.text("warehouse/count_backends.sql"), [list]).rows.first?.first == "0" { break }
                    usleep(50_000)
                }
            }
            let rows = try conn.query(try sql.text("catalog/interrupt_run.sql", ["catalog": run.catalogSchema]),
                                      [String(run.runId), reason])
            outcome.runMarked = rows.count == 1
        } catch {
            outcome.problem = "\(error)"
        }
        return outcome
    }

    /// libpq waits for an unreachable server as long as the OS lets it; a signal handler must not.
    static func withConnectTimeout(_ conninfo: String) -> String {
        if conninfo.contains("connect_timeout") { return conninfo }
        if conninfo.hasPrefix("postgres://") || conninfo.hasPrefix("postgresql://") {
            return conninfo + (conninfo.contains("?") ? "&" : "?") + "connect_timeout=5"
        }
        return conninfo + (conninfo.isEmpty ? "" : " ") + "connect_timeout=5"
    }
}
