import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects how `lens run` plans from its fingerprints (which stages run), the names of the
/// closed sets that reach JSON and the catalog (stages, commands, codecs), and the catalog's
/// CHECK holding `runs.status` to `RunStatus`.
final class RunPlanTests: XCTestCase {
    /// The golden run's manifest, as an export in --out would hold it. The golden file holds
    /// `"<varies>"` where a figure depends on the machine (GoldenNormaliser: byte counts of the
    /// PCA files and of the whole export); those become 0 here, as the plan does not read them.
    private func manifest(_ source: String) throws -> Manifest {
        let path = TestPaths.repo + "/Tests/LensCLITests/Golden/manifest.json"
        var json = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["bytes", "parquet_bytes"] {
            json = json.replacingOccurrences(of: "\"\(key)\" : \"<varies>\"", with: "\"\(key)\" : 0")
        }
        var m = try JSONDecoder().decode(Manifest.self, from: Data(json.utf8))
        m.source = source
        return m
    }

    /// A current export: nothing runs when the database has it too or there is no database, only
    /// the load when the database lacks it. No current export: every computing stage runs, and
    /// the load as the database says.
    func testThePlanFollowsTheExportAndTheCurrentVersion() throws {
        let export = try manifest("drop")
        func describe(_ plan: RunPlan) -> String {
            switch plan {
            case .nothingChanged(let m): return "nothing changed (\(m.source))"
            case .loadFromExport(let m): return "load from export (\(m.source))"
            case .full(let load): return "full, load \(load)"
            }
        }
        XCTAssertEqual(describe(.decide(currentExport: export, loadIsCurrent: true)), "nothing changed (drop)")
        XCTAssertEqual(describe(.decide(currentExport: export, loadIsCurrent: nil)), "nothing changed (drop)")
        XCTAssertEqual(describe(.decide(currentExport: export, loadIsCurrent: false)), "load from export (drop)")
        XCTAssertEqual(describe(.decide(currentExport: nil, loadIsCurrent: true)), "full, load alreadyCurrent")
        XCTAssertEqual(describe(.decide(currentExport: nil, loadIsCurrent: false)), "full, load newVersion")
        XCTAssertEqual(describe(.decide(currentExport: nil, loadIsCurrent: nil)), "full, load none")
    }

    /// The names progress lines, `stage_seconds` keys and the catalog use, unchanged by the enums.
    func testClosedSetsKeepTheirNames() {
        XCTAssertEqual(Stage.allCases.map(\.rawValue),
                       ["verify_md5", "checksum", "ingest_clean", "split", "features", "parquet", "read_parquet", "load"])
        XCTAssertEqual("\(Stage.ingestClean)", "ingest_clean")
        XCTAssertEqual(CatalogCommand.allCases.map(\.rawValue), ["run", "load", "append", "prune", "check"])
        XCTAssertEqual(ParquetCompression.allCases.map(\.rawValue), ["zstd", "none"])
        XCTAssertEqual(RunStatus.allCases.map(\.rawValue),
                       ["running", "succeeded", "failed", "refused", "interrupted", "skipped"])
    }

    /// An unknown `parquet.codec` is refused with the message naming the two codecs.
    func testAnUnknownCodecIsRefused() throws {
        XCTAssertEqual(try PipelineConfig.parse(text: "[parquet]\ncodec = \"none\"\n", file: "p.toml").codec, ParquetCompression.none)
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[parquet]\ncodec = \"snappy\"\n", file: "p.toml")) { error in
            XCTAssertEqual(error as? LensError, .config(file: "p.toml", line: nil, message: "parquet.codec must be \"zstd\" or \"none\""))
        }
    }

    /// The CHECK on runs.status lists exactly RunStatus's values; preparing the catalog again
    /// keeps one such constraint, and a row with another status is refused.
    func testTheCatalogHoldsRunsStatusToRunStatus() throws {
        let loaded = try SQLFixture.main()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let store = CatalogStore(conn: conn, sql: SQLFixture.sql, schema: "lens_catalog")
        try store.ensureSchema()
        try store.ensureSchema()
        let definition = try conn.query("""
            select pg_get_constraintdef(oid) from pg_constraint
            where conrelid = 'lens_catalog.runs'::regclass and conname = 'runs_status_known'
            """).rows
        XCTAssertEqual(definition.count, 1)
        let listed = (definition.first?.first ?? nil).map { text in
            text.split(separator: "'").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        XCTAssertEqual(listed, RunStatus.allCases.map(\.rawValue))
        try conn.execute("begin")
        defer { try? conn.execute("rollback") }
        XCTAssertThrowsError(try conn.execute(
            "insert into lens_catalog.runs (command, lens_version, source, status) values ('run', 't', 't', 'done')")) {
            XCTAssertTrue("\($0)".contains("runs_status_known"), "\($0)")
        }
    }
}
