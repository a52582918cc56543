import Foundation
import PGClient

/// What `lens append` did.
public struct AppendResult: Codable, Sendable {
    public var version: Int
    public var batch: Int
    /// Rows moved into ratings by this call (0 when the batch was appended before).
    public var rowsAppended: Int
    /// Set when the batch had been appended earlier: the run that did it.
    public var alreadyAppendedByRun: Int64?
    public var runId: Int64
    enum CodingKeys: String, CodingKey {
        case version, batch, rowsAppended = "rows_appended", alreadyAppendedByRun = "already_appended_by_run", runId = "run_id"
    }
}

/// `lens append --batch N`: moves held-back buffer batch N of the current version from
/// `ratings_buffer` into `ratings`, in one transaction with its catalog record, under the
/// warehouse lock. Appending a batch twice changes nothing.
public enum AppendTask {
    /// Throws `LensError.config` for a batch the current version does not hold back,
    /// `LensError.database` when there is no current version or the database fails.
    public static func run(batch: Int, options: RunOptions) throws -> AppendResult {
        let session = try WarehouseSession(options: options, command: "append")
        do {
            let sql = try SQLFiles.locate()
            guard let current = try session.catalog.currentVersion() else {
                throw LensError.database(message: "there is no loaded version to append to; run `lens run` first")
            }
            if let earlier = try session.catalog.findAppend(version: current.version, batch: batch) {
                try session.catalog.finishRun(session.runId, status: "skipped", version: current.version, stageSeconds: [:],
                                              rowCounts: ["ratings": 0], reconciliation: [], quarantineCounts: [:],
                                              error: nil, sourceSHA256: nil)
                return AppendResult(version: current.version, batch: batch, rowsAppended: 0, alreadyAppendedByRun: earlier.runId,
                                    runId: session.runId)
            }
            let held = try session.conn.query(try sql.text("warehouse/buffer_batches.sql", ["schema": current.schema]))
            let batches = held.rows.compactMap { $0[0].flatMap { Int($0) } }
            guard batches.contains(batch) else {
                throw LensError.config(file: "--batch", line: nil,
                                       message: batches.isEmpty
                                           ? "version \(current.version) holds no buffer back (load with warehouse.hold_back_buffer = true or --hold-back-buffer)"
                                           : "version \(current.version) holds back batches \(batches.map(String.init).joined(separator: ", ")), not \(batch)")
            }
            let rows = try session.conn.transaction {
                let inserted = try session.conn.query(try sql.text("warehouse/append_batch.sql", ["schema": current.schema]),
                                                      [String(batch)])
                let rows = Int(inserted.commandTag.split(separator: " ").last ?? "0") ?? 0
                try session.catalog.recordAppend(version: current.version, batch: batch, rows: rows, runId: session.runId)
                return rows
            }
            try session.catalog.finishRun(session.runId, status: "succeeded", version: current.version, stageSeconds: [:],
                                          rowCounts: ["ratings": rows], reconciliation: [], quarantineCounts: [:],
                                          error: nil, sourceSHA256: nil)
            return AppendResult(version: current.version, batch: batch, rowsAppended: rows, alreadyAppendedByRun: nil,
                                runId: session.runId)
        } catch {
            session.finishFailed(error, stageSeconds: [:])
            if error is LensError { throw error }
            throw LensError.database(message: "the append failed and was rolled back: \(error)")
        }
    }
}
