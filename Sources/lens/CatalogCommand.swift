import ArgumentParser
import Foundation
import LensCore

/// `lens catalog [list|diff A B|prune]`: the catalog's versions and runs.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List versions and runs, diff two versions, prune old versions.",
        discussion: "lens catalog | lens catalog diff 3 4 | lens catalog prune [--keep N]"
    )

    @Argument(help: "list (default) | diff | prune, then the versions for diff.")
    var words: [String] = []

    @Option(name: .long, help: "Versions to keep when pruning (default: warehouse.keep_versions).")
    var keep: Int?

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    @Option(name: .long, help: "table | csv | json")
    var format: String = "table"

    func run() throws {
        do {
            let (config, file) = try loadPipelineConfig(pipeline)
            let sql = try SQLFiles.locate()
            switch words.first ?? "list" {
            case "list":
                let conn = try DatabaseTarget.resolve(explicit: database).connect()
                defer { conn.close() }
                let (versions, runs) = try CatalogTasks.list(conn: conn, sql: sql, config: config)
                print("versions")
                print(QueryRunner.render(QueryResult(columns: versions.columns, rows: versions.rows), format: format))
                print("\nruns")
                print(QueryRunner.render(QueryResult(columns: runs.columns, rows: runs.rows), format: format))
            case "diff":
                guard words.count == 3, let a = Int(words[1]), let b = Int(words[2]) else {
                    throw LensError.config(file: "lens catalog diff", line: nil, message: "usage: lens catalog diff A B (two version numbers)")
                }
                let conn = try DatabaseTarget.resolve(explicit: database).connect()
                defer { conn.close() }
                let d = try CatalogTasks.diff(a, b, conn: conn, sql: sql, config: config)
                print(render(d, format: format))
            case "prune":
                let options = RunOptions(source: "prune", pipelineFile: file, config: config, database: database)
                let pruned = try CatalogTasks.prune(keep: keep ?? config.keepVersions, options: options)
                say(pruned.isEmpty ? "lens: nothing to prune" : "lens: dropped versions \(pruned.map(String.init).joined(separator: ", "))")
            default:
                throw LensError.config(file: "lens catalog", line: nil, message: "unknown action '\(words[0])'; use list, diff or prune")
            }
        } catch {
            exitWith(error)
        }
    }

    /// `lens catalog diff` output: one JSON document (`--format json`), else the tables then the
    /// schema changes (csv and markdown: two tables; table: with a line when there are none).
    private func render(_ d: CatalogDiff, format: String) -> String {
        if format == "json" {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return (try? enc.encode(d)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
        let rows = d.tables.map { t -> [String?] in
            let columns = t.compared.compactMap { c in t.changedColumns[c].flatMap { $0 > 0 ? "\(c) \($0)" : nil } }
            return [t.table, String(t.added), String(t.removed), String(t.changed), columns.joined(separator: "; ")]
        }
        var out = QueryRunner.render(QueryResult(columns: ["table", "added", "removed", "changed", "changed columns"], rows: rows),
                                     format: format)
        if !d.schemaChanges.isEmpty {
            let cols = d.schemaChanges.map { [$0.table, $0.column, $0.change, $0.typeInA, $0.typeInB] }
            out += "\n\nschema changes\n"
            out += QueryRunner.render(QueryResult(columns: ["table", "column", "change", "type in \(d.from)", "type in \(d.to)"], rows: cols),
                                      format: format)
        } else if format == "table" {
            out += "\n\nno schema changes"
        }
        return out
    }
}
