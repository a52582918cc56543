import ArgumentParser
import Foundation
import LensCore

/// `lens catalog [list|versions|runs|diff A B|prune]`: the catalog's versions and runs.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List versions and runs, diff two versions, prune old versions.",
        discussion: """
            lens catalog | lens catalog versions | lens catalog runs | lens catalog diff 3 4 | lens catalog prune [--keep N]
            `lens catalog` prints both tables (json: {"versions": [...], "runs": [...]}); csv and markdown are one table, \
            the versions (`lens catalog runs` for the runs). `lens catalog diff` in csv or markdown is the per-table \
            counts; the schema changes are in its text and json.
            """
    )

    @Argument(help: "list (default) | versions | runs | diff | prune, then the versions for diff.")
    var words: [String] = []

    @Option(name: .long, help: "Versions to keep when pruning (default: warehouse.keep_versions).")
    var keep: Int?

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            let (config, file) = try loadPipelineConfig(pipeline)
            let sql = try SQLFiles.locate()
            let format = output.format
            switch words.first ?? "list" {
            case "list", "versions", "runs":
                let conn = try DatabaseTarget.resolve(explicit: database).connect()
                defer { conn.close() }
                let (v, r) = try CatalogTasks.list(conn: conn, sql: sql, config: config)
                let versions = QueryResult(v), runs = QueryResult(r)
                switch (words.first ?? "list", format) {
                case ("versions", _), ("list", .csv), ("list", .markdown):
                    print(QueryRunner.render(versions, format: format))
                case ("runs", _):
                    print(QueryRunner.render(runs, format: format))
                case (_, .json):
                    print("{\"versions\": \(QueryRunner.render(versions, format: .json)),\n\"runs\": \(QueryRunner.render(runs, format: .json))}")
                default:
                    print("versions")
                    print(QueryRunner.render(versions, format: format))
                    print("\nruns")
                    print(QueryRunner.render(runs, format: format))
                }
            case "diff":
                guard words.count == 3, let a = Int(words[1]), let b = Int(words[2]) else {
                    throw LensError.config(file: "lens catalog diff", line: nil, message: "usage: lens catalog diff A B (two version numbers)")
                }
                let conn = try DatabaseTarget.resolve(explicit: database).connect()
                defer { conn.close() }
                let d = try CatalogTasks.diff(a, b, conn: conn, sql: sql, config: config)
                print(try render(d, format: format))
            case "prune":
                let options = RunOptions(source: "prune", pipelineFile: file, config: config, database: database)
                let pruned = try PruneTask.run(keep: keep ?? config.keepVersions, options: options)
                switch format {
                case .json:
                    print("{\"pruned\": [\(pruned.map(String.init).joined(separator: ", "))]}")
                case .csv, .markdown:
                    print(QueryRunner.render(QueryResult(columns: ["pruned_version"], rows: pruned.map { [String($0)] }, columnTypes: [23]),
                                             format: format))
                case .text:
                    print(pruned.isEmpty ? "nothing to prune" : "dropped versions \(pruned.map(String.init).joined(separator: ", "))")
                }
            default:
                throw LensError.config(file: "lens catalog", line: nil, message: "unknown action '\(words[0])'; use list, versions, runs, diff or prune")
            }
        } catch {
            exitWith(error)
        }
    }

    /// `lens catalog diff` output: one JSON document (json), the per-table counts (csv, markdown),
    /// or the tables then the schema changes (text, with a line when there are none).
    private func render(_ d: CatalogDiff, format: OutputFormat) throws -> String {
        if format == .json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try enc.encode(d), as: UTF8.self)
        }
        let rows = d.tables.map { t -> [String?] in
            let columns = t.compared.compactMap { c in t.changedColumns[c].flatMap { $0 > 0 ? "\(c) \($0)" : nil } }
            return [t.table, String(t.added), String(t.removed), String(t.changed), columns.joined(separator: "; ")]
        }
        var out = QueryRunner.render(QueryResult(columns: ["table", "added", "removed", "changed", "changed columns"], rows: rows),
                                     format: format)
        if format.isTabular { return out }
        if !d.schemaChanges.isEmpty {
            let cols = d.schemaChanges.map { [$0.table, $0.column, $0.change, $0.typeInA, $0.typeInB] }
            out += "\n\nschema changes\n"
            out += QueryRunner.render(QueryResult(columns: ["table", "column", "change", "type in \(d.from)", "type in \(d.to)"], rows: cols),
                                      format: format)
        } else {
            out += "\n\nno schema changes"
        }
        return out
    }
}
