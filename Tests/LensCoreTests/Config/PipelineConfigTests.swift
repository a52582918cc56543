import XCTest
@testable import LensCore

/// Protects the pipeline file: the shipped file parses to the contract's defaults, and mistakes
/// (unknown keys, wrong types, bad ranges, bad TOML) fail with the file and the reason.
final class PipelineConfigTests: XCTestCase {
    func testShippedPipelineFileHasTheContractDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../pipelines/movielens.toml").path
        let c = try PipelineConfig.load(path: path)
        XCTAssertEqual(c, PipelineConfig())
        XCTAssertEqual(c.ratedAtMin, 788_918_400)  // 1995-01-01T00:00:00Z
        XCTAssertEqual(c.splitNumerators.train, 70_000)
    }

    func testValuesAndErrors() throws {
        let c = try PipelineConfig.parse(text: "[split]\ntrain_fraction = 0.8 # comment\ntest_fraction = 0.1\nbuffer_batches = 4\n[parquet]\nrow_group_rows = 1_000\n", file: "p.toml")
        XCTAssertEqual(c.trainFraction, 0.8)
        XCTAssertEqual(c.bufferBatches, 4)
        XCTAssertEqual(c.rowGroupRows, 1000)
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[split]\ntrain_fractoin = 0.8\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: unknown key 'split.train_fractoin' (see docs/pipeline.md for the keys)")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[split]\nbuffer_batches = \"5\"\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: 'split.buffer_batches' must be a whole number")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[split]\ntrain_fraction = 0.9\ntest_fraction = 0.2\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: split fractions must satisfy 0 < train, 0 <= test, train + test <= 1")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[split\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml:1: error: a table header must look like [name]")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[warehouse]\ncurrent_schema = \"x; drop\"\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: warehouse.current_schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*)")
        }
    }

    func testDriftThresholds() throws {
        let c = try PipelineConfig.parse(text: "[drift]\nrating_ks = 0.2\ngenre_psi = 0.3\nactivity_psi = 1\nalpha = 0.01\n", file: "p.toml")
        XCTAssertEqual(c.drift, DriftThresholds(ratingKS: 0.2, genrePSI: 0.3, activityPSI: 1, alpha: 0.01))
        XCTAssertEqual(try PipelineConfig.parse(text: "[drift]\nalpha = 0.05\n", file: "p.toml").drift.ratingKS, 0.1, "a missing key keeps its default")
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[drift]\nalpha = 0\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: drift.alpha must be in (0, 1], got 0.0")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[drift]\nrating_ks = -0.1\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: drift.rating_ks must be a number >= 0, got -0.1")
        }
        XCTAssertThrowsError(try PipelineConfig.parse(text: "[drift]\nks_threshold = 0.1\n", file: "p.toml")) {
            XCTAssertEqual("\($0)", "p.toml: error: unknown key 'drift.ks_threshold' (see docs/pipeline.md for the keys)")
        }
    }

    func testCivilDates() {
        XCTAssertEqual(epochSeconds(isoDate: "1970-01-01"), 0)
        XCTAssertEqual(epochSeconds(isoDate: "2018-09-26"), 1_537_920_000)
        XCTAssertEqual(epochSeconds(isoDate: "2000-02-29"), 951_782_400)
        XCTAssertNil(epochSeconds(isoDate: "2018-13-01"))
        XCTAssertNil(epochSeconds(isoDate: "18-01-01"))
    }
}
