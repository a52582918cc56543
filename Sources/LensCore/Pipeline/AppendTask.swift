import Foundation
import PGClient

/// Which buffer batch `lens append` appends.
public enum AppendRequest: Sendable, Equatable {
    /// `--next`: the earliest batch still held back.
    case next
    /// `--batch N`; refused while an earlier batch is held back unless `outOfOrder` (`--out-of-order`).
    case batch(Int, outOfOrder: Bool)
}

/// What `lens append` did.
public struct AppendResult: Codable, Sendable {
    public var version: Int
    /// The batch appended (or found appended); nil when `--next` found every batch appended.
    public var batch: Int?
    /// Rows moved into ratings by this call (0 when the batch was appended before).
    public var rowsAppended: Int
    /// Set when the batch had been appended earlier: the run that did it.
    public var alreadyAppendedByRun: Int64?
    /// True when appended while an earlier batch was still held back (`--out-of-order`).
    public var outOfOrder: Bool
    /// How many batches the version holds in its buffer, appended or not.
    public var batchCount: Int
    /// Batches still held back after this call, ascending.
    public var heldBack: [Int]
    public var runId: Int64
    enum CodingKeys: String, CodingKey {
        case version, batch, rowsAppended = "rows_appended", alreadyAppendedByRun = "already_appended_by_run"
        case outOfOrder = "out_of_order", batchCount = "batch_count", heldBack = "held_back", runId = "run_id"
    }
}

/// `lens append --next | --batch N`: moves a held-back buffer batch of the current version from
/// `ratings_buffer` into `ratings`, in one transaction with its catalog record, under the
/// warehouse lock. Appending a batch twice changes nothing.
///
/// Batches go in time order (batch 1 holds the earliest ratings): `--next` takes the earliest one
/// still held back, and `--batch N` is refused while an earlier one is held back, unless
/// `outOfOrder`, which the catalog's `appends.out_of_order` records. A scheduler that computes N
/// from dates (and starts mid-cycle) would otherwise give the ratings table a gap in time that
/// the drift queries and the temporal split do not expect.
public enum AppendTask {
    /// Throws `LensError.config` for a batch the current version does not hold back or an
    /// out-of-order batch, `LensError.database` when there is no current version or the database fails.
    public static func run(_ request: AppendRequest, options: RunOptions) throws -> AppendResult {
        let session = try WarehouseSession(options: options, command: .append)
        do {
            let sql = try SQLFiles.locate()
            guard let current = try session.catalog.currentVersion() else {
                throw LensError.database(message: "there is no loaded version to append to; run `lens run` first")
            }
            let held = try session.conn.query(try sql.text("warehouse/buffer_batches.sql", ["schema": current.schema]))
            let batches = held.rows.compactMap { $0[0].flatMap { Int($0) } }
            let appended = Set(try session.catalog.appendedBatches(version: current.version))
            let heldBack = batches.filter { !appended.contains($0) }
            func skipped(_ batch: Int?, earlierRun: Int64?) throws -> AppendResult {
                try session.catalog.finishRun(session.runId, status: .skipped, version: current.version, stageSeconds: [:],
                                              rowCounts: ["ratings": 0], reconciliation: [], quarantineCounts: [:],
                                              error: nil, sourceSHA256: nil)
                return AppendResult(version: current.version, batch: batch, rowsAppended: 0, alreadyAppendedByRun: earlierRun,
                                    outOfOrder: false, batchCount: batches.count, heldBack: heldBack, runId: session.runId)
            }
            let noBuffer = "version \(current.version) holds no buffer back (load with warehouse.hold_back_buffer = true or --hold-back-buffer)"
            let batch: Int
            var outOfOrder = false
            switch request {
            case .next:
                guard !batches.isEmpty else { throw LensError.config(file: "--next", line: nil, message: noBuffer) }
                guard let first = heldBack.first else { return try skipped(nil, earlierRun: nil) }
                batch = first
            case .batch(let n, let allowOutOfOrder):
                if let earlier = try session.catalog.findAppend(version: current.version, batch: n) {
                    return try skipped(n, earlierRun: earlier.runId)
                }
                guard batches.contains(n) else {
                    throw LensError.config(file: "--batch", line: nil,
                                           message: batches.isEmpty
                                               ? noBuffer
                                               : "version \(current.version) holds back batches \(batches.map(String.init).joined(separator: ", ")), not \(n)")
                }
                let before = heldBack.filter { $0 < n }
                if !before.isEmpty && !allowOutOfOrder {
                    let list = before.map(String.init).joined(separator: ", ")
                    throw LensError.config(file: "--batch", line: nil,
                                           message: "version \(current.version) still holds back earlier batch\(before.count == 1 ? "" : "es") \(list); "
                                               + "append in time order with `lens append --next`, or pass --out-of-order to append batch \(n) before \(before.count == 1 ? "it" : "them")")
                }
                batch = n
                outOfOrder = !before.isEmpty
            }
            let rows = try session.conn.transaction {
                let inserted = try session.conn.query(try sql.text("warehouse/append_batch.sql", ["schema": current.schema]),
                                                      [String(batch)])
                let rows = Int(inserted.commandTag.split(separator: " ").last ?? "0") ?? 0
                try session.catalog.recordAppend(version: current.version, batch: batch, rows: rows, runId: session.runId,
                                                 outOfOrder: outOfOrder)
                return rows
            }
            try session.catalog.finishRun(session.runId, status: .succeeded, version: current.version, stageSeconds: [:],
                                          rowCounts: ["ratings": rows], reconciliation: [], quarantineCounts: [:],
                                          error: nil, sourceSHA256: nil)
            return AppendResult(version: current.version, batch: batch, rowsAppended: rows, alreadyAppendedByRun: nil,
                                outOfOrder: outOfOrder, batchCount: batches.count, heldBack: heldBack.filter { $0 != batch },
                                runId: session.runId)
        } catch {
            session.finishFailed(error, stageSeconds: [:])
            if error is LensError { throw error }
            throw LensError.database(message: "the append failed and was rolled back: \(error)")
        }
    }
}
