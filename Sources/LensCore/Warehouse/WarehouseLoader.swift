import Foundation
import PGClient

/// What a load did.
public struct LoadReport: Sendable, Codable {
    public var version: Int
    public var schema: String
    /// Rows per table as the server counted them in COPY.
    public var rows: [String: Int]
    /// Seconds: copy, index, analyze, publish (views + catalog + commit).
    public var seconds: [String: Double]
}

/// PIPELINE.md stage 5: loads `LensTables` as a new version schema and makes it current.
///
/// Everything happens in ONE transaction: create schema and tables, binary COPY, keys and
/// indexes, ANALYZE, re-point the `movielens` views, record the version in the catalog, COMMIT.
/// Analysts see the old version until COMMIT and the new one after; a failure or a killed
/// process at any point rolls it all back and leaves the previous version as it was. Tables
/// created in the same transaction skip WAL under wal_level=minimal.
public struct WarehouseLoader {
    let conn: PGConnection
    let sql: SQLFiles
    let config: PipelineConfig

    public init(conn: PGConnection, sql: SQLFiles, config: PipelineConfig) {
        self.conn = conn
        self.sql = sql
        self.config = config
    }

    /// The advisory-lock key that serialises writers of one warehouse ("lens" in ASCII).
    public static let lockKey: Int64 = 0x6C_656E_73

    /// Takes the warehouse lock or throws `LensError.busy`.
    public func lock() throws {
        guard try conn.tryAdvisoryLock(Self.lockKey) else {
            throw LensError.busy(message: "another lens run, load or append is writing to this database; wait for it to finish and try again")
        }
    }

    /// Loads `tables` as version `version`; `record` runs inside the transaction just before
    /// COMMIT with the schema and the rows COPY loaded per table (the catalog's version and
    /// dataset rows), so they become visible together.
    public func load(_ tables: LensTables, version: Int, onTable: (String, Int) -> Void = { _, _ in },
                     record: (String, [String: Int]) throws -> Void) throws -> LoadReport {
        let schema = "\(config.versionSchemaPrefix)\(version)"
        var seconds: [String: Double] = [:]
        var clock = ContinuousClock.now
        func lap(_ name: String) {
            let now = ContinuousClock.now
            let d = now - clock
            seconds[name] = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            clock = now
        }
        try conn.execute("begin")
        do {
            // Index builds sort in memory: a btree build over 25M ratings runs in parallel workers
            // (max_parallel_maintenance_workers) that split this budget; at 1GB each third spilled
            // to disk. Only for this transaction, and only while one index is built at a time.
            try conn.execute("set local maintenance_work_mem = '3GB'")
            try conn.execute("drop schema if exists \(schema) cascade")
            try conn.execute(try sql.text("warehouse/create_version_tables.sql", ["schema": schema]))
            var rows = try TableCopy.copyAll(tables, into: schema, on: conn, includeBuffer: !config.holdBackBuffer,
                                             onTable: onTable)
            if let rules = tables.pairLift {
                // computed in the features stage; without it, publishing builds the table in SQL
                try conn.execute(try sql.text("warehouse/movie_pair_lift_table.sql", ["schema": schema]))
                rows["movie_pair_lift"] = try TableCopy.copyPairLift(rules, into: schema, on: conn)
                onTable("movie_pair_lift", rows["movie_pair_lift"] ?? 0)
                try conn.execute(try sql.text("warehouse/movie_pair_lift_key.sql", ["schema": schema]))
            }
            lap("copy")
            KillPoint.check("after_copy")
            try conn.execute(try sql.text("warehouse/constraints.sql", ["schema": schema]))
            lap("index")
            KillPoint.check("after_index")
            try conn.execute(try sql.text("warehouse/analyze.sql", ["schema": schema]))
            lap("analyze")
            try conn.execute(try sql.text("warehouse/publish_current.sql", ["schema": schema, "current": config.currentSchema]))
            try AnalystLayer.publish(conn: conn, sql: sql, schema: schema, current: config.currentSchema,
                                     catalog: config.catalogSchema)
            try record(schema, rows)
            KillPoint.check("before_commit")
            try conn.execute("commit")
            lap("publish")
            return LoadReport(version: version, schema: schema, rows: rows, seconds: seconds)
        } catch {
            try? conn.execute("rollback")
            throw error
        }
    }
}
