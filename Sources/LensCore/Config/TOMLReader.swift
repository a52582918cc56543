import Foundation

/// A value of the TOML subset that pipeline files use.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLValue])
}

/// Reads the subset of TOML that `pipelines/*.toml` use: `[table]` and `[a.b]` headers,
/// `key = value` with basic strings, integers (with `_`), floats, booleans and one-line arrays,
/// and `#` comments. Anything else (inline tables, multi-line strings, dates) is rejected with the
/// line number rather than misread, so a pipeline file never silently means something else.
public struct TOMLReader {
    /// Keys flattened as `table.key` (e.g. `split.train_fraction`).
    public private(set) var values: [String: TOMLValue] = [:]

    /// Parses `text`; `file` only names the file in errors.
    /// Throws `LensError.config` naming the file, line and what is wrong.
    public init(text: String, file: String) throws {
        var table = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Self.stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ why: String) -> LensError {
                .config(file: file, line: lineNumber, message: why)
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else {
                    throw fail("a table header must look like [name]")
                }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let valueText = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw fail("bad key '\(key)'")
            }
            let fullKey = table.isEmpty ? key : "\(table).\(key)"
            if values[fullKey] != nil { throw fail("key '\(fullKey)' is defined twice") }
            guard let value = Self.parseValue(Substring(valueText)) else {
                throw fail("cannot read the value of '\(fullKey)': \(valueText)")
            }
            values[fullKey] = value
        }
    }

    /// Removes a `#` comment that is not inside a string.
    static func stripComment(_ line: String) -> String {
        var inString = false
        var escaped = false
        for (i, ch) in line.enumerated() {
            if escaped { escaped = false; continue }
            if ch == "\\" && inString { escaped = true; continue }
            if ch == "\"" { inString.toggle() }
            if ch == "#" && !inString { return String(line.prefix(i)) }
        }
        return line
    }

    /// Parses one value; nil when it is not of the supported subset.
    static func parseValue(_ text: Substring) -> TOMLValue? {
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { return nil }
            var out = ""
            var escaped = false
            for ch in text.dropFirst().dropLast() {
                if escaped {
                    switch ch {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    default: return nil
                    }
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else {
                    out.append(ch)
                }
            }
            return escaped ? nil : .string(out)
        }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { return nil }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .array([]) }
            var items: [TOMLValue] = []
            for part in splitTopLevel(Substring(inner)) {
                let p = part.trimmingCharacters(in: .whitespaces)
                if p.isEmpty { continue }  // a trailing comma
                guard let v = parseValue(Substring(p)) else { return nil }
                items.append(v)
            }
            return .array(items)
        }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        let plain = text.replacingOccurrences(of: "_", with: "")
        if let i = Int64(plain) { return .integer(i) }
        if let d = Double(plain), d.isFinite { return .float(d) }
        return nil
    }

    /// Splits an array body on commas outside strings.
    static func splitTopLevel(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var inString = false
        var i = text.startIndex
        while i < text.endIndex {
            let ch = text[i]
            if ch == "\"" { inString.toggle() }
            if ch == "," && !inString {
                parts.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        parts.append(text[start...])
        return parts
    }
}
