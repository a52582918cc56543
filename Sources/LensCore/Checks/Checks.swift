import Foundation
import PGClient

/// The outcome of one data-quality check (a file in `sql/checks`).
public struct CheckResult: Sendable, Codable, Equatable {
    /// The file name without `.sql`, e.g. "ratings_in_range".
    public var name: String
    /// The table it is about (the header's `-- dataset:` line), e.g. "ratings".
    public var dataset: String
    /// What it expects (the header's first sentence).
    public var summary: String
    /// True when no row violates it.
    public var passed: Bool
    /// How many rows violate it.
    public var violations: Int
    /// The columns of the violating rows.
    public var columns: [String]
    /// The first violating rows (at most `Checks.sampleSize`), values as PostgreSQL text.
    public var sample: [[String?]]
    /// Seconds it took.
    public var seconds: Double

    /// One line: "ratings_in_range: passed" or "ratings_in_range: FAILED, 3 violating rows".
    public var headline: String {
        passed ? "\(name): passed" : "\(name): FAILED, \(violations) violating row\(violations == 1 ? "" : "s")"
    }

    /// The first violating rows as "column=value, ..." lines.
    public var sampleLines: [String] {
        sample.map { row in zip(columns, row).map { "\($0)=\($1 ?? "NULL")" }.joined(separator: ", ") }
    }
}

/// Runs the data-quality expectations of `sql/checks`. Each file is one SELECT returning the rows
/// that violate the expectation (none = pass), with `{{current}}` and `{{catalog}}` for schemas.
/// A header names what it expects and the dataset it is about:
/// ```sql
/// -- ratings_in_range: every rating is in [0.5, 5.0] and on the half-star grid.
/// -- dataset: ratings
/// ```
public enum Checks {
    /// How many violating rows a result keeps.
    public static let sampleSize = 5

    /// Runs every check against the schema `current` (whatever it shows at this point of the
    /// caller's transaction: call it inside the loading transaction, after the catalog rows of
    /// the new version are written, to check the version before COMMIT). Loads and `lens check`
    /// pass the version schema itself (lens_vN, the tables the `movielens` views show), so that a
    /// check can see the keys that already prove it and skip its scan. Each check runs once:
    /// its rows are counted and the first `sampleSize` kept in the same statement.
    /// Never throws for a violated check (that is a result with passed = false); throws
    /// `LensError.database` when a check cannot run (e.g. a missing table), naming its file.
    ///
    /// Inside a transaction each check runs under a savepoint-free plain SELECT, so a check that
    /// errors aborts the caller's transaction, as any failed statement does: the caller rolls back.
    public static func run(conn: PGConnection, sql: SQLFiles, current: String, catalog: String) throws -> [CheckResult] {
        try sql.files(in: "checks").map { file in
            try runOne(file: file, conn: conn, sql: sql, current: current, catalog: catalog)
        }
    }

    /// The check files, in name order: those that read the catalog (`{{catalog}}` in their text,
    /// so they must run where the new version's catalog rows are visible: inside the publishing
    /// transaction) when `readingCatalog`, else the ones that read only the version's tables.
    public static func files(sql: SQLFiles, readingCatalog: Bool) throws -> [String] {
        try sql.files(in: "checks").filter { file in
            try sql.rawText(file).contains("{{catalog}}") == readingCatalog
        }
    }

    /// Runs `files` shared between `connections` (each takes the next file when it is free), each
    /// on its own thread; results in the order of `files`. For checks of committed tables only.
    /// `onDone` hears (checks done, checks in all) at the start and after each check, one call at a time.
    public static func runInParallel(files: [String], connections: [PGConnection], sql: SQLFiles, current: String,
                                     catalog: String, onDone: @escaping (Int, Int) -> Void = { _, _ in }) throws -> [CheckResult] {
        let lock = NSLock()
        var next = 0
        var done = 0
        onDone(0, files.count)
        var results = [CheckResult?](repeating: nil, count: files.count)
        try runLanes(connections.map { conn in
            {
                while true {
                    lock.lock()
                    let i = next
                    next += 1
                    lock.unlock()
                    guard i < files.count else { return }
                    let result = try runOne(file: files[i], conn: conn, sql: sql, current: current, catalog: catalog)
                    lock.lock()
                    results[i] = result
                    done += 1
                    onDone(done, files.count)
                    lock.unlock()
                }
            }
        })
        return results.map { $0! }
    }

    /// Runs one check file (relative to the sql folder, e.g. "checks/ratings_in_range.sql").
    public static func runOne(file: String, conn: PGConnection, sql: SQLFiles, current: String,
                              catalog: String) throws -> CheckResult {
        let header = try parseHeader(file: file, sql: sql)
        var body = try sql.text(file, ["current": current, "catalog": catalog])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if body.contains(tableCountsMarker) {
            body = body.replacingOccurrences(of: tableCountsMarker,
                                             with: try tableCounts(conn: conn, sql: sql, schema: current))
        }
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let (query, orderBy) = splitTrailingOrderBy(body)
        // The violations are found first (a materialised CTE, planned without the ORDER BY) and
        // only then sorted: planned together, PostgreSQL expects most rows to violate and walks
        // the whole table in primary-key order to skip a sort (minutes at ml-25m, not seconds).
        // The window count is computed over every violating row before the limit applies.
        let wrapped = """
            with violation as materialized (
            \(query)
            )
            select violation.*, count(*) over () as lens_violations
            from violation
            \(orderBy.map { "order by " + $0 + "\n" } ?? "")limit \(sampleSize)
            """
        let start = ContinuousClock.now
        let rows: PGRows
        do {
            rows = try conn.query(wrapped)
        } catch {
            throw LensError.database(message: "sql/\(file): the check could not run: \(error)")
        }
        let d = ContinuousClock.now - start
        let countColumn = rows.columns.count - 1
        let violations = rows.rows.first.flatMap { $0[countColumn] }.flatMap { Int($0) } ?? 0
        return CheckResult(
            name: header.name, dataset: header.dataset, summary: header.summary, passed: violations == 0,
            violations: violations, columns: Array(rows.columns.dropLast()),
            sample: rows.rows.map { Array($0.dropLast()) },
            seconds: d.seconds)
    }

    /// Where a check wants the row count of every table of the version (`table_name`,
    /// `actual_rows`): counting tables named at run time needs dynamic SQL, which plain SQL has
    /// only through optional server features (query_to_xml needs libxml), so lens writes the
    /// `union all` of one count per table it finds in the schema.
    static let tableCountsMarker = "/*table_counts*/"

    static func tableCounts(conn: PGConnection, sql: SQLFiles, schema: String) throws -> String {
        let names = "{" + LensTableSpecs.all.map(\.name).joined(separator: ",") + "}"
        let tables = try conn.query(try sql.text("checks/support/schema_tables.sql"), [schema, names]).rows.compactMap { $0[0] }
            .filter(isPlainIdentifier)
        guard !tables.isEmpty else { return "select null::text as table_name, null::bigint as actual_rows where false" }
        return tables.map { "select '\($0)'::text as table_name, count(*) as actual_rows from \(schema).\($0)" }
            .joined(separator: "\n    union all\n    ")
    }

    /// Splits a check's final top-level `order by` (a line starting with it, the house style) from
    /// its query. The ordering names output columns, so it applies to the violating rows as well.
    static func splitTrailingOrderBy(_ body: String) -> (query: String, orderBy: String?) {
        var lines = body.components(separatedBy: "\n")
        guard let i = lines.lastIndex(where: { $0.lowercased().hasPrefix("order by ") }) else { return (body, nil) }
        let orderBy = lines[i...].joined(separator: " ").dropFirst("order by ".count)
        lines.removeSubrange(i...)
        return (lines.joined(separator: "\n"), orderBy.trimmingCharacters(in: .whitespaces))
    }

    /// Records results in the catalog's `checks` table under `runId`.
    public static func record(_ results: [CheckResult], runId: Int64, catalog: CatalogStore) throws {
        for r in results {
            var details = ["summary": r.summary, "violations": String(r.violations), "seconds": String(format: "%.3f", r.seconds)]
            if !r.sample.isEmpty { details["first_rows"] = r.sampleLines.joined(separator: "\n") }
            try catalog.recordCheck(runId: runId, dataset: r.dataset, name: r.name, passed: r.passed,
                                    observed: r.passed ? "0 violating rows" : "\(r.violations) violating rows",
                                    details: details)
        }
    }

    /// The load's gate, for the publishing transaction before COMMIT (after the catalog rows of the
    /// version are written and the analyst layer is published): runs the checks that read the
    /// catalog against `current`, records them with `tableChecks` (the others, run earlier on the
    /// loading schema by `runInParallel`; nil runs them here too) under `runId`, and throws
    /// `LensError.check` (exit code 1) naming the first failed check and its first offending
    /// rows, so the caller rolls back.
    /// The recorded rows roll back with it; the caller's failed-run record keeps the message.
    @discardableResult
    public static func verifyLoad(conn: PGConnection, sql: SQLFiles, current: String, catalog: String, runId: Int64,
                                  store: CatalogStore, tableChecks: [CheckResult]? = nil) throws -> [CheckResult] {
        let toRun = tableChecks == nil ? sql.files(in: "checks") : try files(sql: sql, readingCatalog: true)
        let ranHere = try toRun.map { file in try runOne(file: file, conn: conn, sql: sql, current: current, catalog: catalog) }
        let results = ((tableChecks ?? []) + ranHere).sorted { $0.name < $1.name }
        try record(results, runId: runId, catalog: store)
        try requireAllPassed(results)
        return results
    }

    /// Throws `LensError.check` for the first failed result, with its first offending rows, so
    /// a load can roll back. Does nothing when every check passed.
    public static func requireAllPassed(_ results: [CheckResult]) throws {
        let failed = results.filter { !$0.passed }
        guard let first = failed.first else { return }
        var message = "\(first.violations) violating row\(first.violations == 1 ? "" : "s") (\(first.summary))"
        if !first.sampleLines.isEmpty { message += "; first: " + first.sampleLines.joined(separator: " | ") }
        if failed.count > 1 { message += "; also failed: " + failed.dropFirst().map(\.name).joined(separator: ", ") }
        throw LensError.check(name: first.name, message: message)
    }

    struct Header {
        var name: String
        var dataset: String
        var summary: String
    }

    /// The `-- name: summary` and `-- dataset:` lines of a check file.
    static func parseHeader(file: String, sql: SQLFiles) throws -> Header {
        let text = try sql.rawText(file)
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var dataset = ""
        var summary: [String] = []
        var inSummary = false
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("--") else { break }
            let body = t.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if body.hasPrefix("dataset:") {
                dataset = body.dropFirst(8).trimmingCharacters(in: .whitespaces)
                inSummary = false
            } else if summary.isEmpty, body.hasPrefix(name + ":") {
                summary.append(body.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
                inSummary = true
            } else if inSummary, !body.hasPrefix("returns") {
                summary.append(body)
            } else {
                inSummary = false
            }
        }
        guard !dataset.isEmpty else {
            throw LensError.config(file: sql.location(file), line: nil, message: "a check needs a '-- dataset: <table>' header line")
        }
        return Header(name: name, dataset: dataset, summary: summary.joined(separator: " "))
    }
}
