import Foundation

/// How a command prints its result on stdout (README "Output contract"): `text` for people,
/// `json` (one document per invocation, values typed), `csv` (RFC 4180) and `markdown` (a
/// GitHub table) for tabular results.
public enum OutputFormat: String, CaseIterable, Sendable, Equatable {
    case text, json, csv, markdown

    /// Reads a `--format` value; `table`, the old name of `text`, is accepted as an alias.
    public init?(name: String) {
        if name == "table" { self = .text; return }
        self.init(rawValue: name)
    }

    /// Whether the format is one table (csv, markdown): a result of several parts picks one.
    public var isTabular: Bool { self == .csv || self == .markdown }
}

/// Renders PostgreSQL's text form of a value as a typed JSON value, by the column's type OID
/// (pg_type.oid): integers and numbers unquoted, booleans, ISO 8601 timestamps, json embedded,
/// arrays as JSON arrays of typed elements; every other type as a string, NULL as null.
/// Expects the session settings lens connects with: DateStyle ISO and TimeZone UTC.
public enum TypedJSON {
    /// Element type of the array types rendered as JSON arrays.
    static let arrayElement: [UInt32: UInt32] = [
        1000: 16, 1005: 21, 1007: 23, 1016: 20, 1028: 26, 1021: 700, 1022: 701, 1231: 1700,
        1009: 25, 1015: 1043, 1014: 1042, 1182: 1082, 1115: 1114, 1185: 1184,
    ]

    /// One value: `text` is PostgreSQL's text output, `nil` is SQL NULL.
    public static func value(_ text: String?, type: UInt32) -> String {
        guard let text else { return "null" }
        if let element = arrayElement[type] {
            guard let array = PGArrayLiteral.parse(text) else { return QueryRunner.jsonString(text) }
            return render(array, element: element)
        }
        switch type {
        case 20, 21, 23, 26:   // int8, int2, int4, oid
            return text
        case 700, 701, 1700:   // float4, float8, numeric: NaN and ±Infinity have no JSON number
            return Double(text).map { $0.isFinite } == true ? text : QueryRunner.jsonString(text)
        case 16:               // bool
            return text == "t" ? "true" : "false"
        case 114, 3802:        // json, jsonb: already JSON
            return text
        case 1184:             // timestamptz: "2018-09-24 14:27:30+00" -> "2018-09-24T14:27:30Z"
            return QueryRunner.jsonString(iso8601(text, zoned: true))
        case 1114:             // timestamp: "2018-09-24 14:27:30" -> "2018-09-24T14:27:30"
            return QueryRunner.jsonString(iso8601(text, zoned: false))
        default:               // date is already YYYY-MM-DD; text, interval, ... as strings
            return QueryRunner.jsonString(text)
        }
    }

    private static func render(_ a: PGArrayLiteral, element: UInt32) -> String {
        switch a {
        case .element(let v): return value(v, type: element)
        case .array(let items): return "[" + items.map { render($0, element: element) }.joined(separator: ",") + "]"
        }
    }

    /// ISO 8601 from PostgreSQL's ISO DateStyle output; `infinity` and BC dates stay as they are.
    static func iso8601(_ text: String, zoned: Bool) -> String {
        guard text.count >= 19, !text.hasSuffix(" BC"), text.dropFirst(10).first == " " else { return text }
        var s = String(text.prefix(10)) + "T" + String(text.dropFirst(11))
        guard zoned else { return s }
        // The offset is the last "+hh", "-hh", "+hh:mm" or "+hh:mm:ss" after the time.
        guard let sign = s.dropFirst(19).lastIndex(where: { $0 == "+" || $0 == "-" }) else { return s }
        let offset = String(s[sign...])
        s = String(s[..<sign])
        if offset == "+00" || offset == "-00" { return s + "Z" }
        return s + (offset.count == 3 ? offset + ":00" : offset)
    }
}

/// A PostgreSQL array literal, `{1,2,NULL}`, `{"a b","c\"d"}`, `{{1,2},{3,4}}` or
/// `[0:1]={1,2}`, parsed into nested elements (`nil` = NULL).
indirect enum PGArrayLiteral: Equatable {
    case element(String?)
    case array([PGArrayLiteral])

    static func parse(_ text: String) -> PGArrayLiteral? {
        var chars = Array(text.unicodeScalars)
        if chars.first == "[", let eq = chars.firstIndex(of: "=") { chars = Array(chars[(eq + 1)...]) }
        var i = 0
        guard let a = parseArray(chars, &i), i == chars.count else { return nil }
        return a
    }

    private static func parseArray(_ c: [Unicode.Scalar], _ i: inout Int) -> PGArrayLiteral? {
        guard i < c.count, c[i] == "{" else { return nil }
        i += 1
        var items: [PGArrayLiteral] = []
        if i < c.count, c[i] == "}" { i += 1; return .array([]) }
        while i < c.count {
            if c[i] == "{" {
                guard let inner = parseArray(c, &i) else { return nil }
                items.append(inner)
            } else if c[i] == "\"" {
                i += 1
                var s = String.UnicodeScalarView()
                while i < c.count, c[i] != "\"" {
                    if c[i] == "\\", i + 1 < c.count { i += 1 }
                    s.append(c[i])
                    i += 1
                }
                guard i < c.count else { return nil }
                i += 1
                items.append(.element(String(s)))
            } else {
                var s = String.UnicodeScalarView()
                while i < c.count, c[i] != ",", c[i] != "}" {
                    if c[i] == "\\", i + 1 < c.count { i += 1 }
                    s.append(c[i])
                    i += 1
                }
                let word = String(s).trimmingCharacters(in: .whitespaces)
                items.append(.element(word.uppercased() == "NULL" ? nil : word))
            }
            guard i < c.count else { return nil }
            if c[i] == "," { i += 1; continue }
            if c[i] == "}" { i += 1; return .array(items) }
            return nil
        }
        return nil
    }
}
