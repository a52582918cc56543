import Foundation
import PGClient

/// `lens catalog prune`: a writer's task (it takes the warehouse lock and records a run), so it
/// lives with the other writers in Pipeline; Catalog itself never opens a writer's session.
public enum PruneTask {
    /// Drops the schemas of versions beyond the newest `keep` (never the current one); their
    /// catalog rows stay, marked dropped. Returns the pruned version numbers.
    public static func run(keep: Int, options: RunOptions) throws -> [Int] {
        let session = try WarehouseSession(options: options, command: .prune)
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
            try session.catalog.finishRun(session.runId, status: .succeeded, version: nil, stageSeconds: [:],
                                          rowCounts: ["pruned_versions": pruned.count], reconciliation: [],
                                          quarantineCounts: [:], error: nil, sourceSHA256: nil)
            return pruned
        } catch {
            session.finishFailed(error, stageSeconds: [:])
            throw error
        }
    }
}
