import Foundation
import PGClient

/// A dataset as the catalog records it (see `sql/catalog/catalog_schema.sql`, table `datasets`).
public struct DatasetRecord: Sendable, Codable, Equatable {
    public var name: String
    /// raw | cleaned | feature | loaded
    public var kind: String
    /// File path(s) or schema.table.
    public var location: String
    /// csv | parquet | postgres
    public var format: String
    public var rows: Int
    public var bytes: Int?
    public var checksum: String?
    /// Column name -> type, in order.
    public var schema: [[String: String]]
    /// Names (with kinds) of the datasets it was made from: "raw:ratings.csv", "cleaned:movies".
    public var parents: [String]
    public init(name: String, kind: String, location: String, format: String, rows: Int, bytes: Int? = nil,
                checksum: String? = nil, schema: [[String: String]] = [], parents: [String] = []) {
        self.name = name
        self.kind = kind
        self.location = location
        self.format = format
        self.rows = rows
        self.bytes = bytes
        self.checksum = checksum
        self.schema = schema
        self.parents = parents
    }
    /// "kind:name", how parents refer to it.
    public var key: String { "\(kind):\(name)" }
}

/// How a run ended (`lens_catalog.runs.status`, which a CHECK holds to this set).
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Started and not finished; a run left so by a dead process is marked `interrupted`.
    case running
    case succeeded
    /// An error stopped it; nothing it loaded became visible.
    case failed
    /// A publish guard, or another writer holding the warehouse, refused it before it published.
    case refused
    /// SIGINT/SIGTERM, or the process died (SIGKILL, OOM, a stopped server).
    case interrupted
    /// Nothing to do: the drop, parameters and version were already current.
    case skipped
}

/// The catalog in PostgreSQL (schema `lens_catalog` by default): runs, versions, datasets,
/// lineage, checks. Every statement is a file in `sql/catalog`; values are bound parameters.
public struct CatalogStore {
    let conn: PGConnection
    let sql: SQLFiles
    let schema: String

    public init(conn: PGConnection, sql: SQLFiles, schema: String) {
        self.conn = conn
        self.sql = sql
        self.schema = schema
    }

    private func text(_ file: String) throws -> String { try sql.text("catalog/\(file)", ["catalog": schema]) }

    /// Creates the catalog tables when missing (idempotent).
    public func ensureSchema() throws {
        try conn.execute(try text("catalog_schema.sql"))
    }

    /// The guards a run overrode and its warnings (as JSON).
    public func recordRunNotes(_ runId: Int64, guardOverrides: [String], warningsJSON: String) throws {
        let array = "{" + guardOverrides.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        _ = try conn.query(try text("record_run_notes.sql"), [String(runId), array, warningsJSON])
    }

    /// The clean ratings of the current version, nil when there is no current version.
    public func currentRatingsRows() throws -> Int? {
        try conn.query(try text("current_ratings_rows.sql")).rows.first?.first.flatMap { $0 }.flatMap { Int($0) }
    }

    /// Marks runs left 'running' by a process that ended without finishing as interrupted (a
    /// run is dead when nobody else holds the warehouse lock; see the SQL file).
    public func markInterruptedRuns() throws {
        try conn.execute(try text("mark_interrupted.sql"))
    }

    /// Records a starting run; returns its id.
    public func beginRun(command: CatalogCommand, pipelineFile: String?, pipelineSHA256: String?, lensVersion: String,
                         source: String) throws -> Int64 {
        let rows = try conn.query(try text("begin_run.sql"), [command.rawValue, pipelineFile, pipelineSHA256, lensVersion, source])
        guard let id = rows.rows.first?.first.flatMap({ $0 }).flatMap({ Int64($0) }) else {
            throw LensError.internal(message: "begin_run.sql returned no run_id")
        }
        return id
    }

    /// Records how a run ended.
    public func finishRun(_ runId: Int64, status: RunStatus, version: Int?, stageSeconds: [String: Double],
                          rowCounts: [String: Int], reconciliation: [FileReconciliation],
                          quarantineCounts: [String: Int], error: String?, sourceSHA256: String?) throws {
        _ = try conn.query(try text("finish_run.sql"), [
            String(runId), status.rawValue, version.map(String.init), jsonText(stageSeconds), jsonText(rowCounts),
            jsonText(reconciliation), jsonText(quarantineCounts), error, sourceSHA256,
        ])
    }

    /// The number the next version gets.
    public func nextVersion() throws -> Int {
        let rows = try conn.query(try text("next_version.sql"))
        return Int(rows.rows.first?.first.flatMap { $0 } ?? "1") ?? 1
    }

    /// Records a version as current (inside the loading transaction).
    public func recordVersion(_ version: Int, schemaName: String, runId: Int64, source: String, sourceSHA256: String,
                              fingerprint: String, dropDate: String?) throws {
        _ = try conn.query(try text("insert_version.sql"),
                           [String(version), schemaName, String(runId), source, sourceSHA256, fingerprint, dropDate])
    }

    /// The current version: number, schema and run fingerprint; nil before the first load.
    public func currentVersion() throws -> (version: Int, schema: String, fingerprint: String?)? {
        guard let row = try conn.query(try text("current_version.sql")).rows.first,
              let v = row[0].flatMap({ Int($0) }), let schema = row[1]
        else { return nil }
        return (v, schema, row[2])
    }

    /// Records datasets and their lineage edges (parents named by `DatasetRecord.key`).
    public func recordDatasets(_ datasets: [DatasetRecord], version: Int, runId: Int64) throws {
        var ids: [String: String] = [:]
        let insert = try text("insert_dataset.sql")
        let link = try text("insert_lineage.sql")
        for d in datasets {
            let rows = try conn.query(insert, [
                d.name, String(version), d.kind, d.location, d.format, String(d.rows), d.bytes.map(String.init),
                d.checksum, jsonText(d.schema), String(runId),
            ])
            guard let id = rows.rows.first?.first.flatMap({ $0 }) else {
                throw LensError.internal(message: "insert_dataset.sql returned no dataset_id")
            }
            ids[d.key] = id
        }
        for d in datasets {
            for p in d.parents {
                guard let child = ids[d.key], let parent = ids[p] else { continue }
                _ = try conn.query(link, [child, parent])
            }
        }
    }

    /// Records one check result.
    public func recordCheck(runId: Int64, dataset: String, name: String, passed: Bool, observed: String,
                            details: [String: String] = [:]) throws {
        _ = try conn.query(try text("insert_check.sql"),
                           [String(runId), dataset, name, passed ? "true" : "false", observed, jsonText(details)])
    }

    /// Records an appended buffer batch (inside the append's transaction); `outOfOrder` when an
    /// earlier batch was still held back (`lens append --batch N --out-of-order`).
    public func recordAppend(version: Int, batch: Int, rows: Int, runId: Int64, outOfOrder: Bool = false) throws {
        _ = try conn.query(try text("insert_append.sql"),
                           [String(version), String(batch), String(rows), String(runId), outOfOrder ? "true" : "false"])
    }

    /// The buffer batches already appended to `version`, ascending.
    public func appendedBatches(version: Int) throws -> [Int] {
        try conn.query(try text("appended_batches.sql"), [String(version)]).rows.compactMap { $0[0].flatMap { Int($0) } }
    }

    /// Rows and run of an earlier append of `batch` to `version`, nil when it was not appended.
    public func findAppend(version: Int, batch: Int) throws -> (rows: Int, runId: Int64)? {
        guard let row = try conn.query(try text("find_append.sql"), [String(version), String(batch)]).rows.first,
              let rows = row[0].flatMap({ Int($0) }), let run = row[1].flatMap({ Int64($0) })
        else { return nil }
        return (rows, run)
    }

    /// Versions, newest first.
    public func versions() throws -> PGRows { try conn.query(try text("list_versions.sql")) }

    /// The last runs, newest first.
    public func runs() throws -> PGRows { try conn.query(try text("list_runs.sql")) }
}

/// JSON text of an encodable value, keys sorted (stable for diffs and checksums).
func jsonText<T: Encodable>(_ value: T) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    guard let data = try? enc.encode(value) else { return "null" }
    return String(decoding: data, as: UTF8.self)
}
