import Foundation
import PGClient

/// How the publishing transaction waits for analysts (`[publish]` in the pipeline file).
///
/// The publish replaces the views of the current schema (`movielens`), which takes ACCESS
/// EXCLUSIVE locks; a session that read a view and sits idle in its transaction (a SQL client in
/// manual-commit mode) holds a lock that conflicts. Waiting for it silently would also make every
/// new query on those views queue behind the waiting publish, so the publish waits at most
/// `lockTimeoutMilliseconds` per attempt, rolls back (releasing what it holds) and retries with
/// backoff, until `deadlineSeconds`.
public struct PublishLockPolicy: Sendable, Equatable {
    /// The publishing transaction's `lock_timeout`: the longest a new analyst query queues behind
    /// a publish that is waiting for a lock. 200 ms is below what a person notices, and far
    /// above what taking the locks costs when nobody holds them.
    public var lockTimeoutMilliseconds = 200
    /// Seconds of retrying after which the run fails with `LensError.busy` naming the blockers.
    public var deadlineSeconds = 300.0
    /// `--terminate-blockers`: at the deadline, end the blocking sessions (pg_terminate_backend)
    /// and publish, instead of failing. Their open transactions are rolled back. A flag only, not
    /// a pipeline-file key: ending other people's sessions should be asked for per run.
    public var terminateBlockers = false

    public init(lockTimeoutMilliseconds: Int = 200, deadlineSeconds: Double = 300, terminateBlockers: Bool = false) {
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.deadlineSeconds = deadlineSeconds
        self.terminateBlockers = terminateBlockers
    }

    /// Rounds of terminating blockers before giving up anyway (new sessions may keep arriving).
    static let terminationRounds = 3

    /// Pause before attempt `n + 1` (n >= 1): 0.25 s doubling to at most 5 s, so a short analyst
    /// transaction costs a fraction of a second and a long one a retry every 5 s.
    func backoffSeconds(afterAttempt n: Int) -> Double { min(5, 0.25 * pow(2, Double(min(n - 1, 5)))) }

    /// Throws `LensError.config` naming `source` for values that cannot work.
    public func validate(source: String) throws {
        guard (1...60_000).contains(lockTimeoutMilliseconds) else {
            throw LensError.config(file: source, line: nil, message: "publish.lock_timeout_ms must be 1...60000")
        }
        guard deadlineSeconds >= 0, deadlineSeconds.isFinite else {
            throw LensError.config(file: source, line: nil, message: "publish.lock_deadline_seconds must be 0 or more")
        }
    }
}

/// A session holding a lock on a relation the publish replaces (from pg_locks and pg_stat_activity).
public struct LockHolder: Sendable, Codable, Equatable, CustomStringConvertible {
    public var pid: Int
    public var user: String
    public var application: String
    /// pg_stat_activity.state: "idle in transaction", "active", ...
    public var state: String
    /// When its transaction started (else its query), as PostgreSQL prints a timestamptz.
    public var since: String
    /// The locked relations, schema-qualified.
    public var relations: String

    public var description: String {
        "pid \(pid) (user \(user), application '\(application)', \(state) since \(since), holding \(relations))"
    }
}

/// One wait of the publish for analysts' locks, reported through `ProgressEvent.publishWaiting`.
public struct PublishWait: Sendable {
    /// Attempts that timed out so far.
    public var attempts: Int
    public var waitedSeconds: Double
    public var deadlineSeconds: Double
    public var blockers: [LockHolder]
    /// With `--terminate-blockers` past the deadline: the sessions just ended (then it retries at once).
    public var terminated: [LockHolder] = []

    /// The blockers as one line, for messages.
    public var blockersText: String { Self.describe(blockers) }

    static func describe(_ holders: [LockHolder]) -> String {
        holders.isEmpty
            ? "no session now (released meanwhile, or held on another object publishing changes, such as a view over the current schema)"
            : holders.map(\.description).joined(separator: "; ")
    }
}

extension WarehouseLoader {
    /// Runs `body` (the publishing transaction's statements) in a transaction whose lock waits
    /// time out after the policy's lock_timeout; on a timeout rolls back, reports the blockers
    /// through `onWait` and retries with backoff. After the deadline throws `LensError.busy`
    /// naming the blockers: nothing of this transaction is committed, the previous version stays current.
    func publishWaitingForLocks(version: Int, onWait: (PublishWait) -> Void, _ body: () throws -> Void) throws {
        let policy = config.publish
        let start = ContinuousClock.now
        func elapsed() -> Double {
            let d = ContinuousClock.now - start
            return d.seconds
        }
        var attempts = 0
        var terminationRounds = 0
        var lastReported: (blockers: [LockHolder], at: Double)?
        while true {
            do {
                try conn.transaction {
                    try conn.query(try sql.text("warehouse/publish_lock_timeout.sql"), ["\(policy.lockTimeoutMilliseconds)ms"])
                    try body()
                }
                return
            } catch let e as PGError where e.sqlState == "55P03" {  // lock_not_available: lock_timeout expired
                attempts += 1
                let blockers = try lockHolders()
                let waited = elapsed()
                if waited >= policy.deadlineSeconds && policy.terminateBlockers && !blockers.isEmpty
                    && terminationRounds < PublishLockPolicy.terminationRounds {
                    terminationRounds += 1
                    try terminate(blockers)
                    onWait(PublishWait(attempts: attempts, waitedSeconds: waited, deadlineSeconds: policy.deadlineSeconds,
                                       blockers: blockers, terminated: blockers))
                    continue
                }
                if waited >= policy.deadlineSeconds {
                    let who = PublishWait.describe(blockers)
                    throw LensError.busy(message: "version \(version) was not published: for \(Int(waited.rounded())) s (publish.lock_deadline_seconds) "
                                         + "analyst sessions held locks on the `\(config.currentSchema)` views it replaces: \(who). "
                                         + "The previous version is still current and the loaded data was dropped. End those "
                                         + "transactions (commit or roll back in the client, or select pg_terminate_backend(pid)) and rerun, "
                                         + "or allow a longer wait with --publish-lock-deadline SECONDS"
                                         + (policy.terminateBlockers ? "" : " (or end them at the deadline with --terminate-blockers)"))
                }
                // Report the first wait, a change of blockers, and otherwise every 30 s.
                if lastReported.map({ $0.blockers.map(\.pid) != blockers.map(\.pid) || waited - $0.at >= 30 }) ?? true {
                    onWait(PublishWait(attempts: attempts, waitedSeconds: waited, deadlineSeconds: policy.deadlineSeconds,
                                       blockers: blockers))
                    lastReported = (blockers, waited)
                }
                let pause = min(policy.backoffSeconds(afterAttempt: attempts), max(0, policy.deadlineSeconds - waited))
                Thread.sleep(forTimeInterval: pause)
            }
        }
    }

    /// Ends `sessions` (`terminate_blockers.sql`, waiting up to 5 s for each to exit). Throws
    /// `LensError.busy` when the server refuses (ending others' sessions needs superuser or pg_signal_backend).
    func terminate(_ sessions: [LockHolder]) throws {
        do {
            try conn.query(try sql.text("warehouse/terminate_blockers.sql"), ["{" + sessions.map { String($0.pid) }.joined(separator: ",") + "}"])
        } catch let e as PGError {
            throw LensError.busy(message: "--terminate-blockers could not end \(sessions.map(\.description).joined(separator: "; ")): "
                                 + "\(e.message) (it needs a superuser or a member of pg_signal_backend); end those transactions by hand and rerun")
        }
    }

    /// The sessions holding locks on what the publish replaces (`publish_blockers.sql`).
    func lockHolders() throws -> [LockHolder] {
        let rows = try conn.query(try sql.text("warehouse/publish_blockers.sql"), [config.currentSchema, config.catalogSchema])
        return rows.rows.map { r in
            LockHolder(pid: Int(r[0] ?? "") ?? 0, user: r[1] ?? "", application: r[2] ?? "", state: r[3] ?? "",
                       since: r[4] ?? "", relations: r[5] ?? "")
        }
    }
}
