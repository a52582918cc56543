import Foundation
import PGClient

/// What a load did.
public struct LoadReport: Sendable, Codable {
    public var version: Int
    public var schema: String
    /// Rows per table as the server counted them in COPY.
    public var rows: [String: Int]
    /// Seconds: copy, index, analyze, checks, publish (views + catalog + commit).
    public var seconds: [String: Double]
    /// What the version's tables use of the server (pgvector: movie_embeddings.embedding_vector).
    public var server: ServerFeatures = .plain
    /// What the load noticed that a person should know (a pgvector it could not use).
    public var warnings: [DropWarning] = []
}

/// PIPELINE.md stage 5: loads `LensTables` as a new version schema and makes it current.
///
/// The version is built in a loading schema (`lens_vN_loading`) on two connections at once, then
/// published in ONE transaction that renames it to `lens_vN`, re-points the `movielens` views and
/// records the version in the catalog. Analysts and the catalog see the old version until that
/// COMMIT and the new one after; a failure or a killed process at any point before it leaves the
/// previous version current and untouched. What a failure leaves of the loading schema is dropped
/// at once, what a kill leaves is dropped by the next load (`drop_loading_schema.sql`).
///
/// Why two connections: PostgreSQL runs one statement per connection, and ratings dominate. While
/// one connection COPYs the ratings the other COPYs, keys and analyses every other table; then the
/// ratings' unique index and their other indexes are built at the same time (CREATE INDEX takes a
/// SHARE lock, which does not conflict with itself); then the keys are declared and validated, and
/// the data-quality checks are shared between both. Each table is created in the transaction that
/// COPYs it, so wal_level=minimal skips its WAL and COPY FREEZE writes it frozen.
public struct WarehouseLoader {
    let conn: PGConnection
    let openConnection: () throws -> PGConnection
    let sql: SQLFiles
    let config: PipelineConfig

    /// `conn` holds the warehouse lock and publishes; `openConnection` opens the second connection.
    public init(conn: PGConnection, openConnection: @escaping () throws -> PGConnection, sql: SQLFiles, config: PipelineConfig) {
        self.conn = conn
        self.openConnection = openConnection
        self.sql = sql
        self.config = config
    }

    /// The advisory-lock key that serialises writers of one warehouse ("lens" in ASCII).
    public static let lockKey: Int64 = 0x6C_656E_73

    /// Takes the warehouse lock, waiting up to `waitSeconds` for another writer to finish (0:
    /// not at all; `.infinity`: as long as it takes), telling `onWait` about each wait every few
    /// seconds; throws `LensError.busy` naming the holder when it is still held.
    public func lock(waitSeconds: Double = 0, onWait: (LockWait) -> Void = { _ in }) throws {
        let start = ContinuousClock.now
        var lastReport: Double = -.infinity
        var pause = 0.1
        while true {
            if try conn.tryAdvisoryLock(Self.lockKey) { return }
            let d = ContinuousClock.now - start
            let waited = d.seconds
            let holders = (try? warehouseLockHolders()) ?? "another lens process"
            if waited >= waitSeconds {
                throw LensError.busy(message: "another lens run, load or append is writing to this database (\(holders)); wait for it to finish and try again, or pass --wait [SECONDS]")
            }
            if waited - lastReport >= 5 {
                onWait(LockWait(waitedSeconds: waited, limitSeconds: waitSeconds, holders: holders))
                lastReport = waited
            }
            usleep(UInt32(min(pause, max(waitSeconds - waited, 0.01)) * 1_000_000))
            pause = min(pause * 2, 2)
        }
    }

    /// Who holds the warehouse lock: "pid 123 (user etl, application 'lens run', connected since ...)".
    func warehouseLockHolders() throws -> String {
        let rows = try conn.query(try sql.text("warehouse/lock_holders.sql"))
        let list = rows.rows.map { r in
            "pid \(r[0] ?? "?") (user \(r[1] ?? "?"), application '\(r[2] ?? "?")', connected since \(r[3] ?? "?"))"
        }
        return list.isEmpty ? "released meanwhile" : list.joined(separator: "; ")
    }

    /// Loads `tables` as version `version`. `verify` runs once every table is loaded, keyed and
    /// analysed, before publishing, with both connections and the loading schema (for the checks
    /// that read only the version's tables); it throws to stop the load. `record` runs inside the
    /// publishing transaction just before COMMIT with the final schema name and the rows COPY
    /// loaded per table (the catalog's version and dataset rows), so they become visible together,
    /// and what the tables use of the server (`ServerFeatures`, for the datasets' schemas).
    /// `onPublishWait` hears each wait of the publish for analysts' locks (`PublishLockPolicy`).
    /// `onProgress` hears the rows each COPY has sent and, from `LoadProgressMonitor`, how far the
    /// index builds, keys, ANALYZE and publish are (one call at a time, from several threads).
    /// `rollups` computes the rollups when `tables` has none: it runs on the second connection's
    /// lane while the first COPYs the ratings, so its CPU time hides behind the server's work.
    public func load(_ tables: LensTables, version: Int, rollups: @escaping (LensTables) -> Rollups,
                     onTable: @escaping (String, Int) -> Void = { _, _ in },
                     onProgress: @escaping (ProgressEvent) -> Void = { _ in },
                     onPublishWait: (PublishWait) -> Void = { _ in },
                     verify: ([PGConnection], String) throws -> Void,
                     record: (String, [String: Int], ServerFeatures) throws -> Void) throws -> LoadReport {
        let schema = "\(config.versionSchemaPrefix)\(version)"
        let loading = schema + "_loading"
        var seconds: [String: Double] = [:]
        var clock = ContinuousClock.now
        func lap(_ name: String) {
            let now = ContinuousClock.now
            let d = now - clock
            seconds[name] = d.seconds
            clock = now
        }
        let second = try openConnection()
        defer { second.close() }
        let progressLock = NSLock()
        let reportTable: (String, Int) -> Void = { name, n in
            progressLock.lock()
            onTable(name, n)
            progressLock.unlock()
        }
        let reportProgress: (ProgressEvent) -> Void = { event in progressLock.withLock { onProgress(event) } }
        let reportRows: (String, Int64, Int64) -> Void = { reportProgress(.progress(step: "copy \($0)", done: $1, total: $2, unit: .rows)) }
        let monitor = try LoadProgressMonitor(openConnection: openConnection, sql: sql, report: reportProgress)
        monitor.start()
        defer { monitor.stop() }
        do {
            try conn.execute(try sql.text("warehouse/drop_loading_schema.sql", ["loading": loading, "schema": schema]))
            // pgvector where the server has it (installed now if lens may): movie_embeddings gets
            // embedding_vector, one dimension per PCA component.
            let vector = try VectorSupport.prepare(conn: conn, sql: sql, dimensions: tables.pca?.k ?? config.pcaComponents)
            let server = vector.server
            try conn.execute(try sql.text("warehouse/create_version_schema.sql", ["schema": loading]))

            // 1. COPY: the ratings on this connection, every other table (with its keys and
            //    statistics) on the second.
            var ratingsRows: [String: Int] = [:]
            var otherRows: [String: Int] = [:]
            try runLanes([
                {
                    try conn.transaction {
                        // DDL and COMMENTs from the specs (ratings_buffer: the same columns)
                        try conn.execute(LensTableSpecs.ratings.ddl(schema: loading) + LensTableSpecs.ratingsBuffer.ddl(schema: loading))
                        ratingsRows = try TableCopy.copyRatings(tables, into: loading, on: conn,
                                                                includeBuffer: !config.holdBackBuffer, onTable: reportTable,
                                                                onRows: reportRows)
                    }
                },
                {
                    var others = tables
                    if others.rollups == nil { others.rollups = rollups(tables) }
                    otherRows = try loadOtherTables(others, into: loading, server: server, on: second, onTable: reportTable,
                                                    onRows: reportRows)
                },
            ])
            let rows = ratingsRows.merging(otherRows) { a, _ in a }
            lap("copy")
            KillPoint.check("after_copy")

            // 2. The ratings' indexes, one per connection at once; 3. then their keys.
            monitor.phase([.init(name: "index ratings_pkey", pid: conn.backendPID),
                           .init(name: "index ratings_movie_id_idx, ratings_batch_idx", pid: second.backendPID)])
            try runLanes([
                { try conn.transaction { try conn.execute(try sql.text("warehouse/ratings_unique_index.sql", ["schema": loading])) } },
                { try second.transaction { try second.execute(try sql.text("warehouse/ratings_indexes.sql", ["schema": loading])) } },
            ])
            monitor.phase([.init(name: "ratings keys", pid: nil)])
            try conn.transaction {
                try conn.execute(try sql.text("warehouse/ratings_keys.sql", ["schema": loading]))
            }
            lap("index")
            KillPoint.check("after_index")
            monitor.phase([.init(name: "analyze ratings", pid: conn.backendPID)])
            try conn.execute(try sql.text("warehouse/analyze_ratings.sql", ["schema": loading]))
            lap("analyze")

            // 4. The checks that read only the version's tables, on both connections (their
            //    count is reported by `verify`).
            monitor.phase([])
            try verify([conn, second], loading)
            lap("checks")

            // 5. Publish: one transaction, retried while analysts hold locks on the views it
            //    replaces (PublishLocks.swift), so that it never makes their queries wait long.
            monitor.phase([.init(name: "publish", pid: nil)])
            try publishWaitingForLocks(version: version, onWait: onPublishWait) {
                try conn.execute(try sql.text("warehouse/rename_loaded_schema.sql", ["loading": loading, "schema": schema]))
                try conn.execute(try sql.text("warehouse/publish_current.sql", ["schema": schema, "current": config.currentSchema]))
                try AnalystLayer.publish(conn: conn, sql: sql, schema: schema, current: config.currentSchema,
                                         catalog: config.catalogSchema)
                try record(schema, rows, server)
                KillPoint.check("before_commit")
            }
            lap("publish")
            return LoadReport(version: version, schema: schema, rows: rows, seconds: seconds, server: server,
                              warnings: vector.warnings)
        } catch {
            // Both connections are out of any transaction here (`transaction` rolled back); what
            // the load created is dropped, so a failed load leaves nothing behind.
            try? conn.execute(try sql.text("warehouse/drop_loading_schema.sql", ["loading": loading, "schema": schema]))
            throw error
        }
    }

    /// Creates (DDL and COMMENTs from `LensTableSpecs`), COPYs, keys and analyses every table but
    /// the ratings in one transaction on `c`, with the optional columns `server` allows.
    private func loadOtherTables(_ tables: LensTables, into schema: String, server: ServerFeatures, on c: PGConnection,
                                 onTable: @escaping (String, Int) -> Void,
                                 onRows: @escaping (String, Int64, Int64) -> Void) throws -> [String: Int] {
        try c.transaction {
            try c.execute(LensTableSpecs.others.map { $0.ddl(schema: schema, server: server) }.joined())
            var rows = try TableCopy.copyOthers(tables, into: schema, server: server, on: c, onTable: onTable, onRows: onRows)
            if let rules = tables.pairLift {
                // computed in the features stage; without it, publishing builds the table in SQL
                try c.execute(LensTableSpecs.moviePairLift.ddl(schema: schema))
                rows["movie_pair_lift"] = try TableCopy.copyPairLift(rules, into: schema, on: c)
                onTable("movie_pair_lift", rows["movie_pair_lift"] ?? 0)
                try c.execute(try sql.text("warehouse/movie_pair_lift_key.sql", ["schema": schema]))
            }
            // keys after the COPY: one index build over the loaded data is far cheaper than
            // maintaining it row by row (the ratings get theirs on two connections, above)
            try c.execute(LensTableSpecs.others.map { $0.keyStatements(schema: schema) }.joined())
            if let v = server.vector {
                try c.execute(try sql.text("warehouse/movie_embeddings_hnsw.sql", ["schema": schema, "vector": v.schema]))
            }
            try c.execute(try sql.text("warehouse/analyze.sql", ["schema": schema]))
            return rows
        }
    }
}

/// A writer waiting for the warehouse lock (`lens run --wait`).
public struct LockWait: Sendable {
    public var waitedSeconds: Double
    /// How long it waits at most (`.infinity` for `--wait` without a number).
    public var limitSeconds: Double
    /// Who holds the lock, as a sentence fragment.
    public var holders: String
}
