// Reads a Parquet file back with pyarrow and DuckDB (two independent readers) through python3,
// and returns what they saw as a `ReadBack`.

import Foundation
import XCTest

/// A cell as the Python readers report it: every scalar is normalized to a string
/// (floats via repr, timestamps as microseconds since the epoch, dates ISO), lists stay lists.
indirect enum Cell: Equatable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    case null
    case text(String)
    case list([Cell])

    init(stringLiteral value: String) { self = .text(value) }
    init(nilLiteral: ()) { self = .null }
    init(arrayLiteral elements: Cell...) { self = .list(elements) }

    init(json: Any) {
        switch json {
        case let s as String: self = .text(s)
        case let a as [Any]: self = .list(a.map(Cell.init(json:)))
        default: self = .null
        }
    }

    /// How Python's repr prints the float64 widening of a float32 (Swift's shortest description
    /// matches repr for the values used in these tests).
    static func float(_ f: Float) -> Cell { .text("\(Double(f))") }
    static func double(_ d: Double) -> Cell { .text("\(d)") }
    static func int<I: BinaryInteger>(_ i: I) -> Cell { .text("\(i)") }
    static func bool(_ b: Bool) -> Cell { .text(b ? "true" : "false") }

    var description: String {
        switch self {
        case .null: return "null"
        case .text(let s): return "\"\(s)\""
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

struct ChunkInfo {
    var path: String
    var compression: String
    var encodings: [String]
    var hasDictionaryPage: Bool
    var numValues: Int
    var nullCount: Int?
    var min: Cell?
    var max: Cell?
}

struct ColumnInfo {
    var path: String
    var physical: String
    var logical: String
    var converted: String
    var maxDefinitionLevel: Int
    var maxRepetitionLevel: Int
}

struct ReadBack {
    var numRows: Int
    var numRowGroups: Int
    var createdBy: String
    var keyValue: [String: String]
    var arrowTypes: [String: String]
    var arrowNullable: [String: Bool]
    var values: [String: [Cell]]
    var columns: [ColumnInfo]
    var rowGroupRows: [Int]
    /// rowGroups[g][column path]
    var chunks: [[String: ChunkInfo]]
    var duckdbTypes: [String: String]
    var duckdbValues: [String: [Cell]]
}

enum PythonReader {
    static let script = #"""
import sys, json, datetime
try:
    import pyarrow.parquet as pq
    import duckdb
except ImportError as e:
    print("MISSING_MODULE: " + str(e))
    sys.exit(3)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return str((v - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return str(v)

path = sys.argv[1]
pf = pq.ParquetFile(path)
md = pf.metadata
t = pq.read_table(path)
out = {
    "num_rows": md.num_rows,
    "num_row_groups": md.num_row_groups,
    "created_by": md.created_by,
    "kv": {k.decode(): v.decode() for k, v in (md.metadata or {}).items()},
    "arrow_types": {f.name: str(f.type) for f in t.schema},
    "arrow_nullable": {f.name: f.nullable for f in t.schema},
    "values": {n: [norm(x) for x in t.column(n).to_pylist()] for n in t.column_names},
}
cols = []
for i in range(md.num_columns):
    c = md.schema.column(i)
    cols.append({"path": c.path, "physical": c.physical_type, "logical": str(c.logical_type),
                 "converted": str(c.converted_type), "max_def": c.max_definition_level,
                 "max_rep": c.max_repetition_level})
out["columns"] = cols
rgs = []
for g in range(md.num_row_groups):
    rg = md.row_group(g)
    chunks = []
    for i in range(rg.num_columns):
        cc = rg.column(i)
        d = {"path": cc.path_in_schema, "compression": cc.compression,
             "encodings": list(cc.encodings), "has_dictionary_page": cc.has_dictionary_page,
             "num_values": cc.num_values}
        st = cc.statistics
        if st is not None:
            d["null_count"] = st.null_count if st.has_null_count else None
            if st.has_min_max:
                d["min"] = norm(st.min)
                d["max"] = norm(st.max)
        chunks.append(d)
    rgs.append({"num_rows": rg.num_rows, "columns": chunks})
out["row_groups"] = rgs

con = duckdb.connect()
desc = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [path]).fetchall()
out["duckdb_types"] = {r[0]: r[1] for r in desc}
def sel(name, typ):
    q = '"' + name.replace('"', '""') + '"'
    return "epoch_us(%s) AS %s" % (q, q) if typ == "TIMESTAMP WITH TIME ZONE" else q
rows = con.execute("SELECT %s FROM read_parquet(?)" % ", ".join(sel(r[0], r[1]) for r in desc), [path]).fetchall()
out["duckdb_values"] = {r[0]: [norm(row[i]) for row in rows] for i, r in enumerate(desc)}
print(json.dumps(out))
"""#

    /// Runs python3 with `code` and `args`; returns stdout. Fails the test with an install hint when
    /// pyarrow or duckdb is missing.
    static func runPython(_ code: String, args: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code] + args
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: stdout, as: UTF8.self)
        if process.terminationStatus == 3 && text.hasPrefix("MISSING_MODULE") {
            throw ReaderError("python3 lacks pyarrow or duckdb (\(text.trimmingCharacters(in: .whitespacesAndNewlines))); run: pip install pyarrow duckdb")
        }
        if process.terminationStatus != 0 {
            throw ReaderError("python3 reader failed (exit \(process.terminationStatus)):\n\(String(decoding: stderr, as: UTF8.self))")
        }
        return stdout
    }

    /// A row filter `column op value`; `value` is a string, or a number when `isString` is false.
    struct Filter: Encodable {
        var column: String
        var op: String
        var value: String
        var isString: Bool
    }

    /// Counts rows matching each filter with readers that skip row groups by statistics:
    /// DuckDB's `WHERE` and pyarrow's `filters=`. Returns one [duckdb, pyarrow] pair per filter.
    static func filteredCounts(_ path: String, _ filters: [Filter]) throws -> [[Int]] {
        let code = #"""
import sys, json
try:
    import pyarrow.parquet as pq
    import duckdb
except ImportError as e:
    print("MISSING_MODULE: " + str(e))
    sys.exit(3)
path = sys.argv[1]
con = duckdb.connect()
out = []
for f in json.loads(sys.argv[2]):
    value = f["value"] if f["isString"] else float(f["value"])
    q = '"' + f["column"].replace('"', '""') + '"'
    d = con.execute("SELECT count(*) FROM read_parquet(?) WHERE %s %s ?" % (q, f["op"]), [path, value]).fetchone()[0]
    p = pq.read_table(path, filters=[(f["column"], f["op"], value)]).num_rows
    out.append([d, p])
print(json.dumps(out))
"""#
        let json = String(decoding: try JSONEncoder().encode(filters), as: UTF8.self)
        let data = try runPython(code, args: [path, json])
        guard let counts = try JSONSerialization.jsonObject(with: data) as? [[Int]] else {
            throw ReaderError("filter output is not a JSON list of pairs")
        }
        return counts
    }

    static func read(_ path: String) throws -> ReadBack {
        let data = try runPython(script, args: [path])
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReaderError("reader output is not a JSON object")
        }
        func cells(_ any: Any?) -> [String: [Cell]] {
            var r: [String: [Cell]] = [:]
            for (k, v) in (any as? [String: Any]) ?? [:] { r[k] = ((v as? [Any]) ?? []).map(Cell.init(json:)) }
            return r
        }
        var columns: [ColumnInfo] = []
        for c in (o["columns"] as? [[String: Any]]) ?? [] {
            columns.append(ColumnInfo(
                path: c["path"] as? String ?? "", physical: c["physical"] as? String ?? "",
                logical: c["logical"] as? String ?? "", converted: c["converted"] as? String ?? "",
                maxDefinitionLevel: c["max_def"] as? Int ?? -1, maxRepetitionLevel: c["max_rep"] as? Int ?? -1))
        }
        var rowGroupRows: [Int] = []
        var chunks: [[String: ChunkInfo]] = []
        for g in (o["row_groups"] as? [[String: Any]]) ?? [] {
            rowGroupRows.append(g["num_rows"] as? Int ?? -1)
            var m: [String: ChunkInfo] = [:]
            for c in (g["columns"] as? [[String: Any]]) ?? [] {
                let path = c["path"] as? String ?? ""
                m[path] = ChunkInfo(
                    path: path,
                    compression: c["compression"] as? String ?? "",
                    encodings: c["encodings"] as? [String] ?? [],
                    hasDictionaryPage: c["has_dictionary_page"] as? Bool ?? false,
                    numValues: c["num_values"] as? Int ?? -1,
                    nullCount: c["null_count"] as? Int,
                    min: c["min"].map(Cell.init(json:)),
                    max: c["max"].map(Cell.init(json:)))
            }
            chunks.append(m)
        }
        return ReadBack(
            numRows: o["num_rows"] as? Int ?? -1,
            numRowGroups: o["num_row_groups"] as? Int ?? -1,
            createdBy: o["created_by"] as? String ?? "",
            keyValue: o["kv"] as? [String: String] ?? [:],
            arrowTypes: o["arrow_types"] as? [String: String] ?? [:],
            arrowNullable: o["arrow_nullable"] as? [String: Bool] ?? [:],
            values: cells(o["values"]),
            columns: columns,
            rowGroupRows: rowGroupRows,
            chunks: chunks,
            duckdbTypes: o["duckdb_types"] as? [String: String] ?? [:],
            duckdbValues: cells(o["duckdb_values"]))
    }
}

struct ReaderError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A fresh temporary directory per test, removed at the end.
final class TempDir {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
