import Foundation
import XCTest

/// Protects the output contract (README "Output contract"): what every command prints on stdout,
/// in text and JSON, on data/sample, and the manifest.json of its export, against the files in
/// Tests/LensCLITests/Golden. Each golden file starts with `# lens ARGS -> exit N`, then stdout
/// after `GoldenNormaliser`. Re-record after an intended change with
/// `LENS_RECORD_GOLDEN=1 swift test --filter GoldenOutputTests` and review the diff.
///
/// The commands run against a database of their own (`lens_golden`, recreated each time) in the
/// shared test cluster, so version numbers and run ids do not depend on which tests ran before.
final class GoldenOutputTests: XCTestCase {
    static let goldenDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    let record = ProcessInfo.processInfo.environment["LENS_RECORD_GOLDEN"] == "1"
    var mismatches: [String] = []

    func testEveryCommandsTextAndJSONOutputOnTheSample() throws {
        _ = try CLI.scalar("drop database if exists lens_golden with (force)")
        _ = try CLI.scalar("create database lens_golden")
        let db = CLI.cluster.conninfo(database: "lens_golden")
        let out = CLI.tempDir("golden")
        let sample = CLI.repo + "/data/sample"
        let normaliser = GoldenNormaliser(paths: [(out, "<out>"), (CLI.home, "<home>"), (CLI.repo, "<repo>")])

        func golden(_ name: String, _ args: [String], exit expected: Int32, json: Bool) throws {
            let (status, stdout, stderr) = try CLI.lens(args + ["--database", db])
            XCTAssertEqual(status, expected, "\(name): \(stderr)")
            var body: String
            if json {
                // Exactly one JSON document, whatever else was said on stderr.
                guard let parsed = try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) else {
                    return XCTFail("\(name): stdout is not one JSON document:\n\(stdout)\nstderr:\n\(stderr)")
                }
                body = try normaliser.json(parsed)
            } else {
                body = normaliser.text(stdout)
            }
            body = "# lens \(normaliser.text(args.joined(separator: " "))) -> exit \(status)\n" + body
            compare(name, body)
        }

        try golden("run.txt", ["run", "--source", sample, "--out", out], exit: 0, json: false)
        try golden("run-skipped.json", ["run", "--source", sample, "--out", out, "--format", "json"], exit: 0, json: true)
        try golden("run.json", ["run", "--source", sample, "--out", out, "--force", "--format", "json"], exit: 0, json: true)
        try golden("load-skipped.txt", ["load", out], exit: 0, json: false)
        try golden("catalog.txt", ["catalog"], exit: 0, json: false)
        try golden("catalog.json", ["catalog", "--format", "json"], exit: 0, json: true)
        try golden("catalog-runs.csv", ["catalog", "runs", "--format", "csv"], exit: 0, json: false)
        try golden("catalog-diff.txt", ["catalog", "diff", "1", "2"], exit: 0, json: false)
        try golden("catalog-diff.json", ["catalog", "diff", "1", "2", "--format", "json"], exit: 0, json: true)
        for format in ["text", "json", "csv", "markdown"] {
            try golden("query-top-rated.\(format == "text" ? "txt" : format == "markdown" ? "md" : format)",
                       ["query", "top_rated", "--param", "limit=3", "--format", format], exit: 0, json: format == "json")
        }
        try golden("query-typed.json", ["query", "--format", "json", "--sql", """
            select movie_id, title, year, genres, rated_at, rating, rating > 4 as liked, null::text as nothing,
                   date '2019-11-21' as drop_date, '{"k": [1, 2]}'::jsonb as doc, 'NaN'::numeric as not_a_number,
                   array[[1, 2], [3, null]]::bigint[] as grid, array['a "quoted", text', null] as texts
            from movielens.ratings join movielens.movies using (movie_id)
            order by rated_at, user_id, movie_id limit 2
            """], exit: 0, json: true)
        try golden("check.txt", ["check"], exit: 0, json: false)
        try golden("check.json", ["check", "--format", "json"], exit: 0, json: true)
        try golden("drift.txt", ["drift", "--dry-run"], exit: 0, json: false)
        try golden("drift.json", ["drift", "--dry-run", "--format", "json"], exit: 0, json: true)
        // Failures: with --format json, one error object on stdout, whatever the exit code.
        try golden("error-input.json", ["run", "--source", "/nonexistent/drop", "--out", out, "--format", "json"], exit: 2, json: true)
        try golden("error-config.json", ["query", "no_such_query", "--format", "json"], exit: 64, json: true)
        try golden("error-usage.json", ["query", "top_rated", "--no-such-flag", "--format", "json"], exit: 64, json: true)
        try golden("error-tabular.txt", ["append", "--next", "--format", "csv"], exit: 64, json: false)
        let (_, _, tabularErr) = try CLI.lens(["append", "--next", "--format", "csv", "--database", db])
        XCTAssertEqual(tabularErr, "lens: --format: error: lens append prints no single table, so it has no csv form; use --format text or json\n")

        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json")))
        compare("manifest.json", try normaliser.json(manifest))

        if record { print("recorded the golden files in \(Self.goldenDir)") }
        XCTAssertTrue(mismatches.isEmpty, "outputs differ from Tests/LensCLITests/Golden (LENS_RECORD_GOLDEN=1 re-records): "
                      + mismatches.joined(separator: ", "))
    }

    /// Compares `actual` with the golden file `name` (or writes it when recording), with a
    /// line-level diff in the failure message.
    private func compare(_ name: String, _ actual: String) {
        let path = Self.goldenDir + "/" + name
        if record {
            try? FileManager.default.createDirectory(atPath: Self.goldenDir, withIntermediateDirectories: true)
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            mismatches.append(name)
            return XCTFail("\(name): no golden file at \(path); record it with LENS_RECORD_GOLDEN=1")
        }
        if expected != actual {
            mismatches.append(name)
            let e = expected.components(separatedBy: "\n"), a = actual.components(separatedBy: "\n")
            let first = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
            XCTFail("\(name) differs from line \(first + 1):\n- \(first < e.count ? e[first] : "<end>")\n+ \(first < a.count ? a[first] : "<end>")")
        }
    }
}

/// Makes an output comparable across machines and runs, and nothing more:
/// - paths: the test's folders become `<out>`, `<home>`, `<repo>`;
/// - text: timestamps of the days around the test run (made by the run: created_at, started_at,
///   ...) become `<timestamp>`, those in the data stay; durations `N.NN s` become `<s> s`, the `seconds:`
///   and `peak memory:` lines of a run summary lose their figures, and runs of spaces after text
///   and of dashes shrink to one space and `---` (column widths follow the values replaced);
/// - JSON: re-printed with sorted keys; timestamps as in text; the values of `stage_seconds`,
///   `stage_peak_rss_mb` and `seconds` become `"<varies>"`, as do `quick_fingerprint` (file
///   modification times) and `run_fingerprint` (it hashes lens's version and SQL);
/// - floating-point numbers: rounded to 10 significant digits, and the bytes and sha256 of the
///   files holding PCA results (`movie_embeddings`, `genome_pca`) and the export's total
///   `parquet_bytes` become `"<varies>"`: LAPACK's results differ in their last bits between CPUs
///   (OpenBLAS picks its kernels by the CPU: AVX2 and AVX-512 machines differ at 1e-17), and the
///   golden files must hold on any machine CI gets.
struct GoldenNormaliser {
    var paths: [(String, String)]
    static let varyingKeys: Set<String> = ["stage_seconds", "stage_peak_rss_mb", "seconds", "quick_fingerprint", "run_fingerprint",
                                           "parquet_bytes"]
    /// The datasets whose file bytes follow the CPU's floating-point kernels.
    static let blasDatasets: Set<String> = ["movie_embeddings", "genome_pca"]
    /// Timestamps dated yesterday, today or tomorrow (UTC): the ones the test run itself made.
    static let timestamp: NSRegularExpression = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        let days = [-86_400.0, 0, 86_400].map { f.string(from: Date().addingTimeInterval($0)) }
        return try! NSRegularExpression(
            pattern: "(\(days.joined(separator: "|")))[ T]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}(:\\d{2})?)?")
    }()

    func text(_ s: String) -> String {
        var t = s
        for (path, name) in paths { t = t.replacingOccurrences(of: path, with: name) }
        t = Self.timestamp.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: "<timestamp>")
        t = t.replacingOccurrences(of: #"\d+\.\d+ s\b"#, with: "<s> s", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?m)^(seconds|peak memory): .*$"#, with: "$1: <varies>", options: .regularExpression)
        t = t.replacingOccurrences(of: #"(?<=\S) {2,}"#, with: " ", options: .regularExpression)
        t = t.replacingOccurrences(of: #"-{3,}"#, with: "---", options: .regularExpression)
        return t.replacingOccurrences(of: #"(?m) +$"#, with: "", options: .regularExpression)
    }

    func json(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: normalise(value, key: nil),
                                              options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func normalise(_ value: Any, key: String?) -> Any {
        if let key, Self.varyingKeys.contains(key) {
            if let object = value as? [String: Any] { return object.mapValues { _ in "<varies>" } }
            return "<varies>"
        }
        switch value {
        case let object as [String: Any]:
            if let dataset = object["dataset"] as? String, Self.blasDatasets.contains(dataset) {
                var file = object
                for k in ["bytes", "sha256"] where file[k] != nil { file[k] = "<varies>" }
                return Dictionary(uniqueKeysWithValues: file.map { ($0.key, normalise($0.value, key: $0.key)) })
            }
            return Dictionary(uniqueKeysWithValues: object.map { ($0.key, normalise($0.value, key: $0.key)) })
        case let number as NSNumber where number.doubleValue.rounded() != number.doubleValue:  // a fraction
            return Double(String(format: "%.10g", number.doubleValue)) ?? number
        case let array as [Any]:
            return array.map { normalise($0, key: nil) }
        case let string as String:
            return text(string)
        default:
            return value
        }
    }
}
