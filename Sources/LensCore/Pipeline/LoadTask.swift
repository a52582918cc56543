import Foundation
import PGClient

/// What stage 5 did.
public struct LoadOutcome: Sendable, Codable {
    public var runId: Int64
    public var version: Int
    public var schema: String
    public var rows: [String: Int]
    public var seconds: [String: Double]
}

/// Stage 5 with its catalog bookkeeping: lock the warehouse, record the run, load the version in
/// one transaction (tables, keys, views, catalog rows), record how the run ended.
public enum LoadTask {
    /// Loads `tables` (built in this process, or read back from Parquet by `lens load`).
    /// On failure the run is recorded as failed with the error, and the error is rethrown.
    public static func load(_ tables: LensTables, manifest: Manifest, command: String, options: RunOptions,
                            stageSeconds: [String: Double], progress: @escaping (ProgressEvent) -> Void) throws -> LoadOutcome {
        let config = options.config
        let sql = try SQLFiles.locate()
        let target = try DatabaseTarget.resolve(explicit: options.database)
        let conn = try target.connect()
        defer { conn.close() }
        let catalog = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
        let loader = WarehouseLoader(conn: conn, sql: sql, config: config)
        do {
            try loader.lock()
            try catalog.ensureSchema()
            try catalog.markInterruptedRuns()
        } catch let e as LensError {
            throw e
        } catch {
            throw LensError.database(message: "\(error)")
        }
        let pipelineSHA = options.pipelineFile.flatMap { try? fileSHA256($0) }
        let runId: Int64
        do {
            runId = try catalog.beginRun(command: command, pipelineFile: options.pipelineFile, pipelineSHA256: pipelineSHA,
                                         lensVersion: lensVersion, source: options.source)
        } catch {
            throw LensError.database(message: "cannot record the run in the catalog: \(error)")
        }
        let reconciliation = manifest.reconciliation
        let quarantineCounts = Dictionary(grouping: tables.quarantine, by: { "\($0.file):\($0.reason.rawValue)" })
            .mapValues(\.count)
        do {
            let version = try catalog.nextVersion()
            let report = try loader.load(tables, version: version, onTable: { progress(.tableLoaded($0, rows: $1)) }) { schema in
                try catalog.recordVersion(version, schemaName: schema, runId: runId, source: options.source,
                                          sourceSHA256: manifest.sourceSHA256, dropDate: manifest.dropDate)
                try catalog.recordDatasets(datasetRecords(tables, manifest: manifest, schema: schema, outDir: config.outDir),
                                           version: version, runId: runId)
                try catalog.recordCheck(runId: runId, dataset: "ratings", name: "reconciled",
                                        passed: reconciliation.allSatisfy(\.reconciled),
                                        observed: reconciliation.map { "\($0.file) \($0.linesRead)" }.joined(separator: ", "))
                try catalog.recordCheck(runId: runId, dataset: "ratings", name: "no_test_or_buffer_before_last_train",
                                        passed: manifest.split.noTestOrBufferBeforeLastTrain,
                                        observed: "last train \(manifest.split.lastTrainAt.map(String.init) ?? "-"), first after \(manifest.split.firstAfterTrainAt.map(String.init) ?? "-")")
            }
            var seconds = stageSeconds
            for (k, v) in report.seconds { seconds["load_" + k] = v }
            try catalog.finishRun(runId, status: "succeeded", version: version, stageSeconds: seconds, rowCounts: report.rows,
                                  reconciliation: reconciliation, quarantineCounts: quarantineCounts, error: nil,
                                  sourceSHA256: manifest.sourceSHA256)
            try? conn.advisoryUnlock(WarehouseLoader.lockKey)
            return LoadOutcome(runId: runId, version: version, schema: report.schema, rows: report.rows, seconds: report.seconds)
        } catch {
            let message = (error as? LensError)?.description ?? "\(error)"
            try? catalog.finishRun(runId, status: "failed", version: nil, stageSeconds: stageSeconds, rowCounts: [:],
                                   reconciliation: reconciliation, quarantineCounts: quarantineCounts, error: message,
                                   sourceSHA256: manifest.sourceSHA256)
            if error is LensError { throw error }
            throw LensError.database(message: "the load failed and was rolled back; the previous version is unchanged: \(error)")
        }
    }

    /// Catalog rows for the raw files, the Parquet datasets and the loaded tables, with lineage.
    static func datasetRecords(_ tables: LensTables, manifest: Manifest, schema: String, outDir: String) -> [DatasetRecord] {
        var records: [DatasetRecord] = []
        for r in manifest.reconciliation {
            records.append(DatasetRecord(name: r.file, kind: "raw", location: manifest.source + ":" + r.file, format: "csv",
                                         rows: r.linesRead, checksum: manifest.rawFiles[r.file]))
        }
        let rawOf: [String: [String]] = [
            "movies": ["movies.csv"], "links": ["links.csv", "movies.csv"], "tags": ["tags.csv", "movies.csv"],
            "ratings": ["ratings.csv", "movies.csv"], "genome_tags": ["genome-tags.csv"],
            "genome_scores": ["genome-scores.csv", "genome-tags.csv", "movies.csv"],
            "quarantine": manifest.reconciliation.map(\.file),
        ]
        let derivedFrom: [String: [String]] = [
            "movie_embeddings": ["genome_scores", "genome_tags"], "genome_pca": ["genome_scores", "genome_tags"],
            "movie_stats": ["ratings"], "user_stats": ["ratings"],
        ]
        let byDataset = Dictionary(grouping: manifest.files, by: \.dataset)
        let rowCounts = tables.rowCounts
        for (dataset, files) in byDataset.sorted(by: { $0.key < $1.key }) {
            let isFeature = derivedFrom[dataset] != nil
            let kind = isFeature ? "feature" : "cleaned"
            var parents = (rawOf[dataset] ?? []).map { "raw:\($0)" }
            parents += (derivedFrom[dataset] ?? []).map { "cleaned:\($0)" }
            let checksum = files.count == 1 ? files[0].sha256
                : combinedSHA256(files.map(\.sha256))
            records.append(DatasetRecord(
                name: dataset, kind: kind, location: files.map { outDir + "/" + $0.path }.joined(separator: ","),
                format: "parquet", rows: files.reduce(0) { $0 + $1.rows }, bytes: files.reduce(0) { $0 + $1.bytes },
                checksum: checksum, schema: files[0].schema, parents: parents))
            records.append(DatasetRecord(
                name: dataset, kind: "loaded", location: "\(schema).\(dataset)", format: "postgres",
                rows: rowCounts[dataset] ?? 0, schema: files[0].schema, parents: ["\(kind):\(dataset)"]))
        }
        return records
    }
}
