import Foundation
import PGClient

/// A named query: a file in `sql/queries`, whose header says what it answers and declares its
/// typed parameters (`-- param: name type default`). Parameters are bound by the server as
/// `$1, $2, ...` in declaration order, never pasted into the SQL text.
public struct NamedQuery: Sendable {
    public struct Parameter: Sendable {
        public var name: String
        /// integer | numeric | text
        public var type: String
        public var defaultValue: String
    }
    public var name: String
    public var file: String
    public var summary: String
    public var parameters: [Parameter]

    /// Every named query in `sql/queries`.
    public static func all(in files: SQLFiles) throws -> [NamedQuery] {
        try files.files(in: "queries").map { try parse(file: $0, files: files) }
    }

    static func parse(file: String, files: SQLFiles) throws -> NamedQuery {
        let text = try String(contentsOfFile: files.root + "/" + file, encoding: .utf8)
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var summary = ""
        var params: [Parameter] = []
        for line in text.split(separator: "\n") where line.hasPrefix("--") {
            let body = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("param:") {
                let parts = body.dropFirst(6).split(separator: " ").map(String.init)
                guard parts.count >= 3 else {
                    throw LensError.config(file: file, line: nil, message: "a param line must read '-- param: name type default'")
                }
                params.append(Parameter(name: parts[0], type: parts[1], defaultValue: parts[2...].joined(separator: " ")))
            } else if summary.isEmpty, body.hasPrefix(name + ":") {
                summary = body.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
            }
        }
        return NamedQuery(name: name, file: file, summary: summary, parameters: params)
    }
}

/// Rows of a query, as text.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
}

/// Runs named and ad-hoc queries and renders their rows.
public enum QueryRunner {
    /// Binds `params` (by name; defaults for the others) after checking their types, runs the query.
    /// Throws `LensError.config` for an unknown parameter or a value of the wrong type.
    public static func named(_ q: NamedQuery, params: [String: String], files: SQLFiles, current: String,
                             conn: PGConnection) throws -> QueryResult {
        for key in params.keys where !q.parameters.contains(where: { $0.name == key }) {
            throw LensError.config(file: q.file, line: nil, message: "unknown parameter '\(key)'; \(q.name) takes \(q.parameters.map(\.name).joined(separator: ", "))")
        }
        var values: [String?] = []
        for p in q.parameters {
            let v = params[p.name] ?? p.defaultValue
            switch p.type {
            case "integer" where Int64(v) == nil, "numeric" where Double(v) == nil:
                throw LensError.config(file: q.file, line: nil, message: "parameter '\(p.name)' must be \(p.type), got '\(v)'")
            default: values.append(v)
            }
        }
        let sql = try files.text(q.file, ["current": current])
        do {
            let rows = try conn.query(sql, values)
            return QueryResult(columns: rows.columns, rows: rows.rows)
        } catch {
            throw LensError.database(message: "query \(q.name) failed: \(error)")
        }
    }

    /// Runs SQL as given (read-only use is the analyst role's job, not this function's).
    public static func adHoc(_ sql: String, conn: PGConnection) throws -> QueryResult {
        do {
            let rows = try conn.query(sql)
            return QueryResult(columns: rows.columns, rows: rows.rows)
        } catch {
            throw LensError.database(message: "query failed: \(error)")
        }
    }

    /// table (aligned), csv or json.
    public static func render(_ r: QueryResult, format: String) -> String {
        switch format {
        case "csv":
            func q(_ s: String?) -> String {
                guard let s else { return "" }
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            return ([r.columns.map { q($0) }.joined(separator: ",")] + r.rows.map { $0.map(q).joined(separator: ",") })
                .joined(separator: "\n")
        case "json":
            let objs = r.rows.map { row in Dictionary(uniqueKeysWithValues: zip(r.columns, row.map { $0 ?? "" })) }
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            return String(decoding: (try? enc.encode(objs)) ?? Data("[]".utf8), as: UTF8.self)
        default:
            var widths = r.columns.map(\.count)
            for row in r.rows { for (i, v) in row.enumerated() { widths[i] = max(widths[i], (v ?? "").count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: " | ")
            }
            var out = [line(r.columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
            out += r.rows.map { line($0.map { $0 ?? "" }) }
            out.append("(\(r.rows.count) rows)")
            return out.joined(separator: "\n")
        }
    }
}
