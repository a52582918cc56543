import Foundation
import PGClient

/// What `lens check` did.
public struct CheckReport: Sendable, Codable {
    /// The catalog run that recorded the results.
    public var runId: Int64
    public var version: Int
    public var schema: String
    public var results: [CheckResult]
    public var passed: Bool { results.allSatisfy(\.passed) }
}

/// `lens check`: runs `sql/checks` against the current version and records the results in the
/// catalog as a run of command "check" (status succeeded when all pass, failed otherwise).
public enum CheckTask {
    /// Throws `LensError.database` when the database cannot be reached or no version is loaded;
    /// failed checks are not errors here (see `CheckReport.passed`; the CLI exits 1).
    public static func run(database: String?, config: PipelineConfig) throws -> CheckReport {
        let sql = try SQLFiles.locate()
        let conn = try DatabaseTarget.resolve(explicit: database).connect()
        defer { conn.close() }
        let catalog = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
        do {
            try catalog.ensureSchema()
            try? catalog.markInterruptedRuns()  // best effort, as in `lens catalog`
            guard let (version, schema, _) = try catalog.currentVersion() else {
                throw LensError.database(message: "no version is loaded yet; load one with `lens run --source DROP`")
            }
            let runId = try catalog.beginRun(command: .check, pipelineFile: nil, pipelineSHA256: nil, lensVersion: lensVersion,
                                             source: schema)
            let results: [CheckResult]
            do {
                results = try Checks.run(conn: conn, sql: sql, current: schema, catalog: config.catalogSchema)
            } catch {
                try? catalog.finishRun(runId, status: .failed, version: version, stageSeconds: [:], rowCounts: [:],
                                       reconciliation: [], quarantineCounts: [:], error: "\(error)", sourceSHA256: nil)
                throw error
            }
            try Checks.record(results, runId: runId, catalog: catalog)
            let passed = results.allSatisfy(\.passed)
            let failed = results.filter { !$0.passed }.map(\.name)
            try catalog.finishRun(runId, status: passed ? .succeeded : .failed, version: version,
                                  stageSeconds: ["check": results.reduce(0) { $0 + $1.seconds }], rowCounts: [:],
                                  reconciliation: [], quarantineCounts: [:],
                                  error: passed ? nil : "failed checks: \(failed.joined(separator: ", "))", sourceSHA256: nil)
            return CheckReport(runId: runId, version: version, schema: schema, results: results)
        } catch let e as LensError {
            throw e
        } catch {
            throw LensError.database(message: "\(error)")
        }
    }
}
