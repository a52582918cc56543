import Foundation
import PGClient

/// The progress of the load's steps that a client cannot count itself (index builds, key
/// validation, ANALYZE, publish): the server's `pg_stat_progress_create_index` and
/// `pg_stat_progress_analyze`, polled every half second on a background thread from a third,
/// short-lived connection while the two load connections are busy. Steps with nothing to count
/// are reported too (their elapsed time), so the progress line never falls silent.
///
/// Best effort: when the third connection cannot be opened or a poll fails, the steps are still
/// reported, without the server's counts; the load itself never fails because of this.
// @unchecked Sendable (its thread holds it): `steps`, `shown` and `stopped` are read and written
// under `lock`, and `report` is only called under it; `polling` and `openConnection` are used only
// by the monitor's thread (it calls `openConnection` only after `start`, once the caller has its
// connections), `thread` only by the caller's; the rest is immutable or thread-safe.
final class LoadProgressMonitor: @unchecked Sendable {
    /// One step of a phase: its name and the load backend that runs it (nil: none to ask about).
    struct Step {
        var name: String
        var pid: Int32?
    }

    private let openConnection: () throws -> PGConnection
    private let query: String
    private let report: (ProgressEvent) -> Void
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private var steps: [Step] = []
    /// The name each step was last reported under (the server's phase is part of it).
    private var shown: [String: String] = [:]
    private var stopped = false
    private var polling = true
    private var thread: Thread?

    static let pollSeconds = 0.5

    /// `report` is called from the calling thread and from the monitor's thread (the caller serialises it).
    init(openConnection: @escaping () throws -> PGConnection, sql: SQLFiles, report: @escaping (ProgressEvent) -> Void) throws {
        self.openConnection = openConnection
        self.query = try sql.text("warehouse/progress_load.sql")
        self.report = report
    }

    /// Starts polling.
    func start() {
        let t = Thread { [self] in run() }
        t.name = "lens load progress"
        thread = t
        t.start()
    }

    /// The steps now running: the previous phase's end and these start (reported at once, so
    /// that even a step shorter than a poll is seen).
    func phase(_ next: [Step]) {
        lock.withLock {
            endSteps()
            steps = next
            for s in next {
                shown[s.name] = s.name
                report(.progress(step: s.name, done: 0, total: nil, unit: .none))
            }
        }
    }

    /// Ends the last phase and the thread (waiting for it, so no report comes after).
    func stop() {
        lock.withLock {
            endSteps()
            steps = []
            stopped = true
        }
        wake.signal()
        if thread != nil { finished.wait() }
    }

    private func endSteps() {
        for s in steps { report(.stepFinished(shown[s.name] ?? s.name)) }
        shown = [:]
    }

    private func run() {
        defer { finished.signal() }
        var conn: PGConnection?
        defer { conn?.close() }
        while wake.wait(timeout: .now() + Self.pollSeconds) == .timedOut {
            let current = lock.withLock { stopped ? nil : steps }
            guard let current else { return }
            var rows: [Int32: [String?]] = [:]
            let pids = current.compactMap(\.pid)
            if polling && !pids.isEmpty {
                do {
                    if conn == nil { conn = try openConnection() }
                    let result = try conn!.query(query, ["{" + pids.map(String.init).joined(separator: ",") + "}"])
                    for r in result.rows { if let pid = r[0].flatMap({ Int32($0) }) { rows[pid] = r } }
                } catch {
                    polling = false  // progress is best effort: go on without the server's counts
                }
            }
            lock.withLock {
                guard !stopped else { return }
                for s in steps { tick(s, row: s.pid.flatMap { rows[$0] }) }
            }
        }
    }

    /// Reports one step from its server row: tuples when the phase counts them, else blocks, else time.
    private func tick(_ s: Step, row: [String?]?) {
        var name = s.name
        var done: Int64 = 0, total: Int64? = nil, unit = ProgressUnit.none
        if let row {
            let phase = (row[1] ?? "").replacingOccurrences(of: "building index: ", with: "")
            if !phase.isEmpty { name += " (\(phase))" }
            let n = row.dropFirst(2).map { $0.flatMap { Int64($0) } ?? 0 }
            if n[3] > 0 {
                (done, total, unit) = (n[2], n[3], .tuples)
            } else if n[1] > 0 {
                (done, total, unit) = (n[0], n[1], .blocks)
            }
        }
        if let previous = shown[s.name], previous != name { report(.stepFinished(previous)) }
        shown[s.name] = name
        report(.progress(step: name, done: done, total: total, unit: unit))
    }
}
