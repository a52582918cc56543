import ArgumentParser
import Foundation
import LensCore

/// `lens query NAME [--param k=v]` or `lens query --sql "..."`: SQL against the current version.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a named query from sql/queries (parameters bound by the server) or ad-hoc SQL."
    )

    @Argument(help: "Named query (a file in sql/queries without .sql).")
    var name: String?

    @Option(name: .long, parsing: .singleValue, help: "A parameter as key=value (repeatable).")
    var param: [String] = []

    @Option(name: .long, help: "Ad-hoc SQL instead of a named query.")
    var sql: String?

    @Flag(name: .long, help: "List the named queries.")
    var list = false

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    @Option(name: .long, help: "table | csv | json")
    var format: String = "table"

    func run() throws {
        do {
            let files = try SQLFiles.locate()
            let (config, _) = try loadPipelineConfig(nil)
            let queries = try NamedQuery.all(in: files)
            if list {
                for q in queries {
                    let params = q.parameters.map { "\($0.name) \($0.type) = \($0.defaultValue)" }.joined(separator: ", ")
                    print("\(q.name)(\(params)): \(q.summary)")
                }
                return
            }
            let target = try DatabaseTarget.resolve(explicit: database)
            let conn = try target.connect()
            defer { conn.close() }
            let rows: QueryResult
            if let sql {
                rows = try QueryRunner.adHoc(sql, conn: conn)
            } else if let name, let q = queries.first(where: { $0.name == name }) {
                var given: [String: String] = [:]
                for p in param {
                    let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2 else { throw LensError.config(file: "--param", line: nil, message: "expected key=value, got '\(p)'") }
                    given[kv[0]] = kv[1]
                }
                rows = try QueryRunner.named(q, params: given, files: files, current: config.currentSchema, conn: conn)
            } else {
                throw LensError.config(file: "lens query", line: nil, message: "name a query (see lens query --list) or give --sql")
            }
            print(QueryRunner.render(rows, format: format))
        } catch {
            exitWith(error)
        }
    }
}
