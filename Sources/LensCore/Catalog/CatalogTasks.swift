import Foundation
import PGClient

/// One table's differences between two versions.
public struct TableDiff: Codable, Sendable, Equatable {
    public var table: String
    public var added: Int
    public var removed: Int
    public var changed: Int
}

/// One column that differs between two versions' schemas.
public struct ColumnChange: Codable, Sendable, Equatable {
    public var table: String
    public var column: String
    /// added | removed | type changed
    public var change: String
    public var typeInA: String?
    public var typeInB: String?
}

/// `lens catalog`: list, diff and prune versions.
public enum CatalogTasks {
    /// The key of each loaded table, to match rows across versions (tables without a natural key
    /// are matched on the whole row, so a change shows as one removal and one addition).
    static let tableKeys: [String: [String]] = [
        "movies": ["movie_id"], "links": ["movie_id"], "ratings": ["user_id", "movie_id"],
        "ratings_buffer": ["user_id", "movie_id"], "genome_tags": ["tag_id"], "genome_scores": ["movie_id", "tag_id"],
        "movie_embeddings": ["movie_id"], "genome_pca": ["component"], "movie_stats": ["movie_id"],
        "user_stats": ["user_id"], "users": ["user_id"],
        "tags": ["user_id", "movie_id", "tag", "tagged_at"], "quarantine": ["file", "line", "raw", "reason"],
    ]

    /// Versions and recent runs, as query results.
    public static func list(conn: PGConnection, sql: SQLFiles, config: PipelineConfig) throws -> (versions: PGRows, runs: PGRows) {
        let store = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
        try store.ensureSchema()
        // A run left 'running' by a process that died shows as interrupted (best effort: a
        // read-only role may not update the catalog).
        try? store.markInterruptedRuns()
        return (try store.versions(), try store.runs())
    }

    /// Columns derived from the whole drop rather than from the row: `split` and `batch` move when
    /// later ratings arrive, so a diff compares the ratings' own values and leaves these out.
    static let derivedColumns: [String: [String]] = ["ratings": ["split", "batch"], "ratings_buffer": ["split", "batch"]]

    /// Rows added, removed and changed per table from version `a` to version `b`, and column changes.
    /// Throws `LensError.config` when a version is unknown or was pruned.
    public static func diff(_ a: Int, _ b: Int, conn: PGConnection, sql: SQLFiles, config: PipelineConfig) throws
        -> (tables: [TableDiff], columns: [ColumnChange])
    {
        let catalog = config.catalogSchema
        func schema(_ v: Int) throws -> String {
            let rows = try conn.query(try sql.text("catalog/version_schema.sql", ["catalog": catalog]), [String(v)])
            guard let s = rows.rows.first?.first.flatMap({ $0 }) else {
                throw LensError.config(file: "lens catalog diff", line: nil, message: "version \(v) is not loaded (see `lens catalog`)")
            }
            return s
        }
        let sa = try schema(a), sb = try schema(b)
        let columnRows = try conn.query(try sql.text("catalog/diff_columns.sql"), [sa, sb])
        let columns = columnRows.rows.map {
            ColumnChange(table: $0[0] ?? "", column: $0[1] ?? "", change: $0[2] ?? "", typeInA: $0[3], typeInB: $0[4])
        }
        var tables: [TableDiff] = []
        let tablesOf = try sql.text("catalog/schema_tables.sql")
        let inBoth = Set(try conn.query(tablesOf, [sa]).rows.compactMap { $0[0] })
            .intersection(try conn.query(tablesOf, [sb]).rows.compactMap { $0[0] })
        for table in tableKeys.keys.sorted() where inBoth.contains(table) {
            let key = tableKeys[table]!
            let r = try conn.query(try sql.text("catalog/diff_table.sql", ["a": sa, "b": sb, "table": table]),
                                   ["{" + key.joined(separator: ",") + "}",
                                    "{" + (derivedColumns[table] ?? []).joined(separator: ",") + "}"])
            let v = r.rows.first ?? []
            tables.append(TableDiff(table: table, added: Int(v[0] ?? "0") ?? 0, removed: Int(v[1] ?? "0") ?? 0,
                                    changed: Int(v[2] ?? "0") ?? 0))
        }
        return (tables, columns)
    }

    /// Drops the schemas of versions beyond the newest `keep` (never the current one); their
    /// catalog rows stay, marked dropped. Returns the pruned version numbers.
    public static func prune(keep: Int, options: RunOptions) throws -> [Int] {
        let session = try WarehouseSession(options: options, command: "prune")
        let sql = try SQLFiles.locate()
        let catalog = options.config.catalogSchema
        do {
            let rows = try session.conn.query(try sql.text("catalog/prune_candidates.sql", ["catalog": catalog]), [String(keep)])
            var pruned: [Int] = []
            for row in rows.rows {
                guard let v = row[0].flatMap({ Int($0) }), let schema = row[1] else { continue }
                try session.conn.transaction {
                    try session.conn.execute(try sql.text("warehouse/drop_version.sql", ["schema": schema]))
                    _ = try session.conn.query(try sql.text("catalog/mark_dropped.sql", ["catalog": catalog]), [String(v)])
                }
                pruned.append(v)
            }
            try session.catalog.finishRun(session.runId, status: "succeeded", version: nil, stageSeconds: [:],
                                          rowCounts: ["pruned_versions": pruned.count], reconciliation: [],
                                          quarantineCounts: [:], error: nil, sourceSHA256: nil)
            return pruned
        } catch {
            session.finishFailed(error, stageSeconds: [:])
            throw error
        }
    }
}
