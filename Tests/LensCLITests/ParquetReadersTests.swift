import Foundation
import XCTest
import LensTestSupport

/// Protects stage 4 as its users see it: pyarrow and DuckDB read every file of a real export
/// (ml-latest-small) with the expected Arrow types, the manifest's row counts, row groups within
/// the limit, and a dozen spot-checked rows equal to the CSV lines they came from
/// (the checks are in Scripts/check_parquet.py).
final class ParquetReadersTests: XCTestCase {
    func testPyarrowAndDuckDBReadTheExportWithTheRightTypesAndValues() throws {
        let drop = CLI.shared + "/movielens/ml-latest-small"
        guard FileManager.default.fileExists(atPath: drop) else { throw Skip.groupLens("movielens/ml-latest-small", at: drop) }
        let out = CLI.tempDir("readers")
        let (s, _, e) = try CLI.lens(["run", "--source", drop, "--out", out, "--no-load"])
        XCTAssertEqual(s, 0, e)
        let script = CLI.repo + "/Tests/LensCLITests/Scripts/check_parquet.py"
        let (status, stdout, stderr) = try CLI.run(["python3", script, out, drop])
        XCTAssertEqual(status, 0, stdout + stderr + "\n(needs: pip install pyarrow duckdb)")
        XCTAssertEqual(stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
    }
}
