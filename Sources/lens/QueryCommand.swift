import ArgumentParser
import Foundation
import LensCore

/// `lens query NAME [--param k=v]` or `lens query --sql "..."`: SQL against the current version.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a named query from sql/queries (parameters bound by the server) or ad-hoc SQL.",
        discussion: """
            lens query --list shows every named query with its parameters (name, type, default) and what it answers.
            Parameter values are checked against their declared type and sent as bound parameters, never pasted into SQL.
            """
    )

    @Argument(help: "Named query (a file in sql/queries without .sql).")
    var name: String?

    @Option(name: .long, parsing: .singleValue, help: "A parameter as key=value (repeatable).")
    var param: [String] = []

    @Option(name: .long, help: "Ad-hoc SQL instead of a named query.")
    var sql: String?

    @Flag(name: .long, help: "List the named queries, their parameters and what they answer.")
    var list = false

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            let files = try SQLFiles.locate()
            let (config, _) = try loadPipelineConfig(pipeline)
            if list {
                try output.requireNotTabular("lens query --list", use: "")
                print(QueryRunner.renderList(try NamedQuery.all(in: files), format: output.format))
                return
            }
            let query: NamedQuery?
            if sql != nil {
                guard name == nil else {
                    throw LensError.config(file: "lens query", line: nil, message: "give a query name or --sql, not both")
                }
                query = nil
            } else if let name {
                query = try NamedQuery.named(name, in: files)
            } else {
                throw LensError.config(file: "lens query", line: nil, message: "name a query (see lens query --list) or give --sql")
            }
            var given: [String: String] = [:]
            for p in param {
                let kv = p.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard kv.count == 2, !kv[0].isEmpty else {
                    throw LensError.config(file: "--param", line: nil, message: "expected key=value, got '\(p)'")
                }
                given[kv[0]] = kv[1]
            }
            let target = try DatabaseTarget.resolve(explicit: database)
            let conn = try target.connect()
            defer { conn.close() }
            let rows: QueryResult
            if let query {
                rows = try QueryRunner.named(query, params: given, files: files, current: config.currentSchema,
                                             catalog: config.catalogSchema, conn: conn)
            } else {
                guard given.isEmpty else {
                    throw LensError.config(file: "--param", line: nil, message: "--param applies to named queries, not --sql")
                }
                rows = try QueryRunner.adHoc(sql!, conn: conn)
            }
            print(QueryRunner.render(rows, format: output.format))
        } catch {
            exitWith(error)
        }
    }
}
