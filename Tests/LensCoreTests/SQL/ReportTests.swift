import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects `lens report`: the page is self-contained (no scripts, no network), shows every
/// section with the numbers of the views, and the genome PCA when the drop has one.
final class ReportTests: XCTestCase {
    func testReportOfMlLatestSmallIsSelfContainedAndShowsEverySection() throws {
        let loaded = try SQLFixture.small()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let data = try Report.gather(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog")
        XCTAssertEqual(data.version.version, 1)
        XCTAssertEqual(data.ratingHistogram.count, 10)
        XCTAssertEqual(data.ratingHistogram[7].rating, "4.0")
        XCTAssertEqual(data.ratingHistogram[7].train + data.ratingHistogram[7].test + data.ratingHistogram[7].buffer, 26_818)
        XCTAssertEqual(data.topRated.count, 15)
        XCTAssertEqual(data.topRated.first?.title, "Shawshank Redemption, The (1994)")
        XCTAssertEqual(data.split.map(\.nRatings), [70_585, 20_167, 2016, 2016, 2016, 2016, 2020])
        XCTAssertEqual(data.explainedVariance, [])
        XCTAssertEqual(data.loadRun?.reconciliation.map(\.file), ["movies.csv", "links.csv", "tags.csv", "ratings.csv"])
        XCTAssertEqual(data.drift.batches.count, 5)
        XCTAssertEqual(data.genres.first?.genre, "Drama")

        let html = Report.html(data)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.lowercased().contains("<script"), "no scripts")
        XCTAssertFalse(html.contains("https://"), "no network")
        XCTAssertEqual(html.components(separatedBy: "http://").count - 1, html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1,
                       "the only URL is the SVG namespace")
        XCTAssertFalse(html.contains("<link"), "no external stylesheets")
        for section in ["Rating histogram", "Ratings per month", "Films per year", "Genre frequency", "Top 15 by weighted rating",
                        "Split timeline", "Genome PCA", "no genome in this version", "Drift of the buffer batches against train",
                        "Reconciliation of the load", "Checks", "buffer batch 5"] {
            XCTAssertTrue(html.contains(section), section)
        }
        XCTAssertTrue(html.contains("Schindler&#39;s List") || html.contains("Schindler's List (1993)"))
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg").count - 1, 7)
        XCTAssertTrue(html.contains("2,016 ratings, 2017-06-21 – 2017-07-28"), "batch 1 on the timeline")
    }

    func testReportOfAGenomeDropChartsTheExplainedVariance() throws {
        let sample = try SQLFixture.sample()
        var config = PipelineConfig()
        config.outDir = sample.out
        let out = SQLFixture.home + "/report-sample.html"
        let data = try ReportTask.run(database: sample.conninfo, config: config, out: out)
        XCTAssertFalse(data.explainedVariance.isEmpty)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(html.contains("Genome PCA: explained variance"))
        XCTAssertTrue(html.contains("cumulative (right axis)"))
        XCTAssertFalse(html.contains("no genome in this version"))
    }

    func testChartsEscapeTextAndPickRoundTicks() {
        XCTAssertEqual(SVGChart.escape("<Amélie & \"Co\">"), "&lt;Amélie &amp; &quot;Co&quot;&gt;")
        XCTAssertEqual(SVGChart.niceTicks(max: 26_818), [0, 10_000, 20_000, 30_000])
        let small = SVGChart.niceTicks(max: 0.29)
        XCTAssertEqual(small.count, 4)
        XCTAssertEqual(small.last!, 0.3, accuracy: 1e-12)
        XCTAssertEqual(SVGChart.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(SVGChart.compact(2_500), "2.5k")
        XCTAssertEqual(Report.fillYears([(1990, 2), (1993, 1)]).map(\.movies), [2, 0, 0, 1])
        XCTAssertEqual(Report.fillMonths([("1999-11", 1, 0, 0), ("2000-02", 2, 0, 0)]).map(\.month),
                       ["1999-11", "1999-12", "2000-01", "2000-02"])
    }
}
