import Foundation
import PGClient

/// A named query: a file in `sql/queries`, whose header says what it answers and declares its
/// typed parameters (`-- param: name type default`). Parameters are bound by the server as
/// `$1, $2, ...` in declaration order, never pasted into the SQL text.
///
/// The header, comment lines at the top of the file:
/// ```sql
/// -- top_rated: the best movies by weighted rating ... (the summary; may continue on the
/// -- next comment lines)
/// -- param: min_votes integer 50
/// -- param: limit integer 15
/// -- columns: movie_id, title, year, n_ratings, mean_rating, weighted_rating
/// ```
public struct NamedQuery: Sendable {
    /// The parameter types a header may declare. The value is checked here (a clear message
    /// before any round trip) and again by the server, where the SQL casts `$n::type`.
    public static let parameterTypes: Set<String> = ["integer", "bigint", "numeric", "text", "date", "boolean"]

    public struct Parameter: Sendable, Equatable {
        public var name: String
        /// integer | bigint | numeric | text | date | boolean
        public var type: String
        public var defaultValue: String
    }
    public var name: String
    /// The file, relative to the sql folder (e.g. "queries/top_rated.sql").
    public var file: String
    /// What the query answers (the header's first sentence(s)).
    public var summary: String
    public var parameters: [Parameter]
    /// The result columns as the header documents them (empty when it does not).
    public var columns: [String]

    /// Every named query in `sql/queries`, sorted by name. Throws `LensError.config` for a
    /// malformed header (naming the file and line).
    public static func all(in files: SQLFiles) throws -> [NamedQuery] {
        try files.files(in: "queries").map { try parse(file: $0, files: files) }
    }

    /// The named query called `name`, or a `LensError.config` listing the ones there are.
    public static func named(_ name: String, in files: SQLFiles) throws -> NamedQuery {
        let all = try all(in: files)
        guard let q = all.first(where: { $0.name == name }) else {
            throw LensError.config(file: "sql/queries", line: nil,
                                   message: "no named query '\(name)'; there are: \(all.map(\.name).joined(separator: ", ")) (lens query --list)")
        }
        return q
    }

    static func parse(file: String, files: SQLFiles) throws -> NamedQuery {
        let text = try files.rawText(file)
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var summaryLines: [String] = []
        var inSummary = false
        var params: [Parameter] = []
        var columns: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("--") else {
                if !trimmed.isEmpty { break }   // the header ends at the first SQL line
                inSummary = false
                continue
            }
            let body = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("param:") {
                inSummary = false
                let parts = body.dropFirst(6).split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard parts.count >= 3 else {
                    throw LensError.config(file: file, line: index + 1, message: "a param line must read '-- param: name type default'")
                }
                guard parameterTypes.contains(parts[1]) else {
                    throw LensError.config(file: file, line: index + 1,
                                           message: "parameter '\(parts[0])' has type '\(parts[1])'; use one of \(parameterTypes.sorted().joined(separator: ", "))")
                }
                params.append(Parameter(name: parts[0], type: parts[1], defaultValue: parts[2...].joined(separator: " ")))
            } else if body.hasPrefix("columns:") {
                inSummary = false
                columns = body.dropFirst(8).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            } else if summaryLines.isEmpty, body.hasPrefix(name + ":") {
                summaryLines.append(body.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
                inSummary = true
            } else if inSummary {
                if body.isEmpty { inSummary = false } else { summaryLines.append(body) }
            }
        }
        return NamedQuery(name: name, file: file, summary: summaryLines.joined(separator: " "), parameters: params,
                          columns: columns)
    }

    /// The values to bind, in declaration order: `given` by name, defaults for the others.
    /// Throws `LensError.config` for an unknown parameter or a value that is not of its type.
    public func values(for given: [String: String]) throws -> [String?] {
        for key in given.keys.sorted() where !parameters.contains(where: { $0.name == key }) {
            let takes = parameters.isEmpty ? "no parameters" : parameters.map(\.name).joined(separator: ", ")
            throw LensError.config(file: file, line: nil, message: "unknown parameter '\(key)'; \(name) takes \(takes)")
        }
        return try parameters.map { p in
            let v = given[p.name] ?? p.defaultValue
            guard NamedQuery.isValid(v, type: p.type) else {
                throw LensError.config(file: file, line: nil,
                                       message: "parameter '\(p.name)' must be \(p.type), got '\(v)'; the value is bound by the server, never pasted into SQL")
            }
            return v
        }
    }

    /// Whether `value` reads as `type` (the server checks again when it casts `$n::type`).
    static func isValid(_ value: String, type: String) -> Bool {
        switch type {
        case "integer": return Int32(value) != nil
        case "bigint": return Int64(value) != nil
        case "numeric":
            return Double(value) != nil && value.allSatisfy { $0.isNumber || "+-.eE".contains($0) }
        case "date":
            let parts = value.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 3 && parts[0].count == 4 && parts[1].count == 2 && parts[2].count == 2
                && parts.allSatisfy { $0.allSatisfy(\.isASCII) && Int($0) != nil }
        case "boolean": return ["true", "false", "t", "f", "yes", "no", "on", "off", "1", "0"].contains(value.lowercased())
        default: return true
        }
    }
}

/// Rows of a query, as text (`nil` = SQL NULL), with each column's type OID when the rows came
/// from the server (empty for rows built by hand, which render as strings in JSON).
public struct QueryResult: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String?]]
    public var columnTypes: [UInt32]
    public init(columns: [String], rows: [[String?]], columnTypes: [UInt32] = []) {
        self.columns = columns
        self.rows = rows
        self.columnTypes = columnTypes
    }

    /// The rows of a server result, with their column types.
    public init(_ rows: PGRows) {
        self.init(columns: rows.columns, rows: rows.rows, columnTypes: rows.columnTypes)
    }
}

/// Runs named and ad-hoc queries and renders their rows.
public enum QueryRunner {
    /// Binds `params` (by name; defaults for the others) after checking their types, runs the query.
    /// Throws `LensError.config` for an unknown parameter or a value of the wrong type, and
    /// `LensError.database` with the server's message when the query fails.
    public static func named(_ q: NamedQuery, params: [String: String], files: SQLFiles, current: String,
                             catalog: String = "lens_catalog", conn: PGConnection) throws -> QueryResult {
        let values = try q.values(for: params)
        let sql = try files.text(q.file, ["current": current, "catalog": catalog])
        do {
            let rows = try conn.query(sql, values)
            return QueryResult(rows)
        } catch {
            throw LensError.database(message: "query \(q.name) failed: \(error)")
        }
    }

    /// Runs SQL as given (read-only use is the analyst role's job, not this function's).
    public static func adHoc(_ sql: String, conn: PGConnection) throws -> QueryResult {
        do {
            let rows = try conn.query(sql)
            return QueryResult(rows)
        } catch {
            throw LensError.database(message: "query failed: \(error)")
        }
    }

    /// text (aligned, with a row count), csv (RFC 4180, empty = NULL), json (an array of
    /// objects, one per row, values typed from the column types by `TypedJSON`) or markdown
    /// (a GitHub table).
    public static func render(_ r: QueryResult, format: OutputFormat) -> String {
        switch format {
        case .csv:
            func q(_ s: String?) -> String {
                guard let s else { return "" }
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            return ([r.columns.map { q($0) }.joined(separator: ",")] + r.rows.map { $0.map(q).joined(separator: ",") })
                .joined(separator: "\n")
        case .json:
            return "[" + r.rows.map { row in
                "{" + row.enumerated().map { i, v in
                    let type = i < r.columnTypes.count ? r.columnTypes[i] : 25
                    return "\(jsonString(r.columns[i])):\(TypedJSON.value(v, type: type))"
                }.joined(separator: ",") + "}"
            }.joined(separator: ",\n") + "]"
        case .markdown:
            func cell(_ s: String?) -> String {
                (s ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: "<br>")
                    .replacingOccurrences(of: "\n", with: "<br>")
            }
            var out = ["| " + r.columns.map(cell).joined(separator: " | ") + " |",
                       "|" + r.columns.map { _ in " --- |" }.joined()]
            out += r.rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
            return out.joined(separator: "\n")
        case .text:
            var widths = r.columns.map(\.count)
            for row in r.rows { for (i, v) in row.enumerated() { widths[i] = max(widths[i], (v ?? "").count) } }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                    .joined(separator: " | ")
            }
            var out = [line(r.columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")]
            out += r.rows.map { line($0.map { $0 ?? "" }) }
            out.append("(\(r.rows.count) row\(r.rows.count == 1 ? "" : "s"))")
            return out.joined(separator: "\n")
        }
    }

    /// The named queries as `lens query --list` shows them: json, else text (one block per query).
    public static func renderList(_ queries: [NamedQuery], format: OutputFormat) -> String {
        if format == .json {
            return "[" + queries.map { q in
                let params = q.parameters.map {
                    "{\"name\":\(jsonString($0.name)),\"type\":\(jsonString($0.type)),\"default\":\(jsonString($0.defaultValue))}"
                }.joined(separator: ",")
                return "{\"name\":\(jsonString(q.name)),\"summary\":\(jsonString(q.summary)),\"parameters\":[\(params)],"
                    + "\"columns\":[\(q.columns.map(jsonString).joined(separator: ","))]}"
            }.joined(separator: ",\n") + "]"
        }
        return queries.map { q in
            var lines = ["\(q.name): \(q.summary)"]
            for p in q.parameters { lines.append("    --param \(p.name)=<\(p.type)>   default \(p.defaultValue)") }
            if !q.columns.isEmpty { lines.append("    columns: \(q.columns.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// A JSON string literal.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
