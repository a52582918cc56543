import Foundation
import PGClient

/// A writer's session on the warehouse for one command: connected, holding the warehouse lock
/// (so a second run or append refuses at once instead of interleaving), the catalog ready and
/// the run recorded. Stage 5 and its catalog bookkeeping go through it.
public final class WarehouseSession {
    public let conn: PGConnection
    public let catalog: CatalogStore
    let loader: WarehouseLoader
    let config: PipelineConfig
    /// The catalog run this session records.
    public let runId: Int64
    /// Set once the run's row has its final status, which a later failure must not overwrite
    /// (a refused run stays `refused`).
    private var finished = false

    /// Connects, takes the lock, prepares the catalog, marks runs killed earlier as interrupted,
    /// and records this run as started. Throws `LensError.database` / `.busy`.
    public init(options: RunOptions, command: CatalogCommand) throws {
        config = options.config
        let sql = try SQLFiles.locate()
        let target = try DatabaseTarget.resolve(explicit: options.database, access: .writer)
        conn = try target.connect()
        catalog = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
        // Every connection of the run is registered, so that SIGINT/SIGTERM can end its backends
        // (rolling the load back) before the run is marked interrupted.
        loader = WarehouseLoader(conn: conn, openConnection: {
            let c = try target.connect()
            InterruptCleanup.shared.addBackend(c.backendPID)
            return c
        }, sql: sql, config: config)
        do {
            do {
                try loader.lock(waitSeconds: options.lockWaitSeconds) { options.onLockWait?($0) }
            } catch let busy as LensError {
                // The refused writer is in the catalog too, so that a scheduler's lost run shows.
                try? catalog.ensureSchema()
                if let refused = try? catalog.beginRun(command: command, pipelineFile: options.pipelineFile, pipelineSHA256: nil,
                                                       lensVersion: lensVersion, source: options.source) {
                    try? catalog.finishRun(refused, status: .refused, version: nil, stageSeconds: [:], rowCounts: [:],
                                           reconciliation: [], quarantineCounts: [:], error: busy.description, sourceSHA256: nil)
                }
                throw busy
            }
            try catalog.ensureSchema()
            try catalog.markInterruptedRuns()
            let pipelineSHA = options.pipelineFile.flatMap { try? fileSHA256($0) }
            runId = try catalog.beginRun(command: command, pipelineFile: options.pipelineFile, pipelineSHA256: pipelineSHA,
                                         lensVersion: lensVersion, source: options.source)
            InterruptCleanup.shared.setRun(target: target, catalogSchema: config.catalogSchema, runId: runId)
            InterruptCleanup.shared.addBackend(conn.backendPID)
        } catch let e as LensError {
            conn.close()
            throw e
        } catch {
            conn.close()
            throw LensError.database(message: "cannot prepare the catalog: \(error)")
        }
    }

    deinit { conn.close() }

    /// The run fingerprint of the current version, nil when there is none.
    public func currentFingerprint() throws -> String? {
        try catalog.currentVersion()?.fingerprint
    }

    /// Records that the run found nothing to do; returns the current version (the skipped
    /// run's result names it).
    @discardableResult
    public func finishSkipped(manifest: Manifest, stageSeconds: [String: Double]) throws -> Int? {
        let current = try catalog.currentVersion()
        try catalog.finishRun(runId, status: .skipped, version: current?.version, stageSeconds: stageSeconds, rowCounts: [:],
                              reconciliation: manifest.reconciliation, quarantineCounts: [:], error: nil,
                              sourceSHA256: manifest.sourceSHA256)
        finished = true
        InterruptCleanup.shared.clearRun()
        return current?.version
    }

    /// Records a failure (best effort: the connection may be the thing that failed).
    public func finishFailed(_ error: Error, stageSeconds: [String: Double]) {
        guard !finished else { return }
        finished = true
        let message = (error as? LensError)?.description ?? "\(error)"
        try? catalog.finishRun(runId, status: .failed, version: nil, stageSeconds: stageSeconds, rowCounts: [:],
                               reconciliation: [], quarantineCounts: [:], error: message, sourceSHA256: nil)
        InterruptCleanup.shared.clearRun()
    }

    /// Records a drop that a publish guard refused, with its reconciliation and quarantine counts:
    /// status `refused`, nothing loaded, the current version unchanged.
    public func finishRefused(_ error: LensError, reconciliation: [FileReconciliation], quarantine: [QuarantineRow],
                              stageSeconds: [String: Double], sourceSHA256: String) {
        finished = true
        try? catalog.finishRun(runId, status: .refused, version: nil, stageSeconds: stageSeconds, rowCounts: [:],
                               reconciliation: reconciliation, quarantineCounts: Self.quarantineCounts(quarantine),
                               error: error.description, sourceSHA256: sourceSHA256)
        InterruptCleanup.shared.clearRun()
    }

    /// The clean ratings of the current version (nil without one), for the shrink guard.
    public func currentRatingsRows() throws -> Int? {
        try catalog.currentRatingsRows()
    }

    /// Records the guards this run overrode and its warnings on its catalog row.
    public func recordNotes(guardOverrides: [GuardOverride], warnings: [DropWarning]) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try catalog.recordRunNotes(runId, guardOverrides: guardOverrides.map(\.rawValue),
                                   warningsJSON: String(decoding: try enc.encode(warnings), as: UTF8.self))
    }

    /// The columns of table `name` on `server` that the Parquet dataset does not hold, as
    /// `{"name", "type"}` with their PostgreSQL type (e.g. `vector(64)`).
    static func warehouseOnlyColumns(_ name: String, server: ServerFeatures) -> [[String: String]] {
        guard let spec = LensTableSpecs.named(name)?.on(server) else { return [] }
        return spec.columns.filter { !$0.inParquet }.map { c in
            let type = c.type == .vector ? server.vector.map { "vector(\($0.dimensions))" } ?? c.type.pgType : c.type.pgType
            return ["name": c.name, "type": type]
        }
    }

    /// "file:reason" -> rows, as the catalog's `runs.quarantine_counts` holds them.
    static func quarantineCounts(_ quarantine: [QuarantineRow]) -> [String: Int] {
        Dictionary(grouping: quarantine, by: { "\($0.file):\($0.reason.rawValue)" }).mapValues(\.count)
    }

    /// Loads `tables` as a new version, published in one transaction with the catalog's version,
    /// datasets, lineage and checks, and records the run as succeeded. On failure nothing is
    /// published (the previous version stays current), the run is recorded as failed, and the error rethrown.
    public func load(_ tables: LensTables, manifest: Manifest, stageSeconds: [String: Double],
                     progress: @escaping (ProgressEvent) -> Void) throws -> LoadOutcome {
        let reconciliation = manifest.reconciliation
        let quarantineCounts = Self.quarantineCounts(tables.quarantine)
        do {
            let version = try catalog.nextVersion()
            let runId = self.runId
            // The checks that read only the version's tables run on both connections before
            // publishing; those that read the catalog run in the publishing transaction below.
            var tableChecks: [CheckResult] = []
            // The rollups (warehouse-only tables, not in Parquet) are computed by the load, beside
            // the ratings' COPY, from the ratings and tags (of a run, or read back by `lens load DIR`).
            let report = try loader.load(tables, version: version, rollups: { Rollups.compute($0) }, onTable: { progress(.tableLoaded($0, rows: $1)) },
                                         onProgress: progress, onPublishWait: { progress(.publishWaiting($0)) },
                                         verify: { connections, loadingSchema in
                tableChecks = try Checks.runInParallel(files: try Checks.files(sql: loader.sql, readingCatalog: false),
                                                       connections: connections, sql: loader.sql, current: loadingSchema,
                                                       catalog: config.catalogSchema) {
                    progress(.progress(step: "checks", done: Int64($0), total: Int64($1), unit: .checks))
                }
            }) { schema, loadedRows, server in
                try catalog.recordVersion(version, schemaName: schema, runId: runId, source: manifest.source,
                                          sourceSHA256: manifest.sourceSHA256, fingerprint: manifest.runFingerprint,
                                          dropDate: manifest.dropDate)
                try catalog.recordDatasets(Self.datasetRecords(manifest: manifest, schema: schema, loadedRows: loadedRows,
                                                                  outDir: config.outDir, server: server),
                                           version: version, runId: runId)
                try catalog.recordCheck(runId: runId, dataset: "ratings", name: "reconciled",
                                        passed: reconciliation.allSatisfy(\.reconciled),
                                        observed: reconciliation.map { "\($0.file) \($0.linesRead)" }.joined(separator: ", "))
                try catalog.recordCheck(runId: runId, dataset: "ratings", name: "no_test_or_buffer_before_last_train",
                                        passed: manifest.split.noTestOrBufferBeforeLastTrain,
                                        observed: "last train \(manifest.split.lastTrainAt.map(String.init) ?? "-"), first after \(manifest.split.firstAfterTrainAt.map(String.init) ?? "-")")
                if let ratios = manifest.pcaExplainedVarianceRatio {
                    let cumulative = ratios.reduce(0, +)
                    var details = Dictionary(uniqueKeysWithValues: ratios.enumerated().map {
                        (String(format: "pc%02d", $0.offset + 1), String($0.element))
                    })
                    details["cumulative"] = String(cumulative)
                    if let missing = manifest.genomeMissingCells { details["missing_cells"] = String(missing) }
                    try catalog.recordCheck(runId: runId, dataset: "genome_pca", name: "explained_variance",
                                            passed: true, observed: String(format: "%d components explain %.6f", ratios.count, cumulative),
                                            details: details)
                }
                if !manifest.genreAliasesApplied.isEmpty || !manifest.unknownGenres.isEmpty {
                    try catalog.recordCheck(runId: runId, dataset: "movies", name: "genre_vocabulary",
                                            passed: true,  // unknown genres are kept and reported, not a failure
                                            observed: "aliases applied: \(manifest.genreAliasesApplied.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")); unknown: \(manifest.unknownGenres.keys.sorted().joined(separator: ", "))",
                                            details: manifest.genreAliasesApplied.mapValues(String.init))
                }
                // The data-quality checks of sql/checks, before COMMIT: a failure rolls the load back.
                try Checks.verifyLoad(conn: conn, sql: loader.sql, current: schema,
                                      catalog: config.catalogSchema, runId: runId, store: catalog, tableChecks: tableChecks)
            }
            var seconds = stageSeconds
            for (k, v) in report.seconds { seconds["load_" + k] = v }
            try catalog.finishRun(runId, status: .succeeded, version: version, stageSeconds: seconds, rowCounts: report.rows,
                                  reconciliation: reconciliation, quarantineCounts: quarantineCounts, error: nil,
                                  sourceSHA256: manifest.sourceSHA256)
            finished = true
            InterruptCleanup.shared.clearRun()
            if !report.warnings.isEmpty {
                // the load's own warnings join the drop's on the run's catalog row
                try recordNotes(guardOverrides: manifest.guardOverrides ?? [], warnings: (manifest.warnings ?? []) + report.warnings)
            }
            return LoadOutcome(runId: runId, version: version, schema: report.schema, rows: report.rows, seconds: report.seconds,
                               warnings: report.warnings)
        } catch {
            finishFailed(error, stageSeconds: stageSeconds)
            if error is LensError { throw error }
            throw LensError.database(message: "the load failed and was rolled back; the previous version is unchanged: \(error)")
        }
    }

    /// Catalog rows for the raw files, the Parquet datasets and the loaded tables, with lineage.
    /// A loaded table's schema is its Parquet dataset's plus the columns only PostgreSQL has
    /// (ratings.split; movie_embeddings.embedding_vector when loaded on `server` with pgvector),
    /// those typed as PostgreSQL types them.
    static func datasetRecords(manifest: Manifest, schema: String, loadedRows: [String: Int], outDir: String,
                               server: ServerFeatures = .plain) -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        for r in manifest.reconciliation {
            records.append(DatasetRecord(name: r.file, kind: "raw", location: manifest.source + ":" + r.file, format: "csv",
                                         rows: r.linesRead, checksum: manifest.rawFiles[r.file]))
        }
        // Parents by file name in every layout; names a drop does not have are skipped below.
        let movieFiles = ["movies.csv", "u.item", "movies.dat"]
        let rawOf: [String: [String]] = [
            "movies": movieFiles, "links": ["links.csv"] + movieFiles, "tags": ["tags.csv", "tags.dat"] + movieFiles,
            "ratings": ["ratings.csv", "u.data", "ratings.dat"] + movieFiles, "genome_tags": ["genome-tags.csv"],
            "genome_scores": ["genome-scores.csv", "genome-tags.csv"] + movieFiles,
            "quarantine": manifest.reconciliation.map(\.file), "users": ["u.user", "users.dat"],
        ]
        let rawFiles = Set(manifest.reconciliation.map(\.file))
        let derivedFrom: [String: [String]] = [
            "movie_embeddings": ["genome_scores", "genome_tags"], "genome_pca": ["genome_scores", "genome_tags"],
            "movie_stats": ["ratings"], "user_stats": ["ratings"],
        ]
        let byDataset = Dictionary(grouping: manifest.files, by: \.dataset)
        for (dataset, files) in byDataset.sorted(by: { $0.key < $1.key }) {
            let isFeature = derivedFrom[dataset] != nil
            let kind = isFeature ? "feature" : "cleaned"
            var parents = (rawOf[dataset] ?? []).filter(rawFiles.contains).map { "raw:\($0)" }
            parents += (derivedFrom[dataset] ?? []).map { "cleaned:\($0)" }
            let checksum = files.count == 1 ? files[0].sha256 : combinedSHA256(files.map(\.sha256))
            records.append(DatasetRecord(
                name: dataset, kind: kind, location: files.map { outDir + "/" + $0.path }.joined(separator: ","),
                format: "parquet", rows: files.reduce(0) { $0 + $1.rows }, bytes: files.reduce(0) { $0 + $1.bytes },
                checksum: checksum, schema: files[0].schema, parents: parents))
            records.append(DatasetRecord(
                name: dataset, kind: "loaded", location: "\(schema).\(dataset)", format: "postgres",
                rows: loadedRows[dataset] ?? 0, schema: files[0].schema + warehouseOnlyColumns(dataset, server: server),
                parents: ["\(kind):\(dataset)"]))
        }
        return records
    }
}
