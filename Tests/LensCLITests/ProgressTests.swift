import Foundation
import XCTest
import LensCore

/// Protects "progress you can watch" (issue 14) end to end on a 1M-rating drop (`lens synth
/// --scale 1m`): with stderr not a terminal, plain progress lines name the input bytes read, the
/// Parquet rows written, the COPY rows, the index builds, keys, ANALYZE, checks and publish, in
/// that order, and stdout stays empty; `--quiet` leaves only the summary (and errors); on a
/// terminal (`script`) the live line is redrawn in place with `\r` + clear to end of line.
final class ProgressTests: XCTestCase {
    static let database = "progress_test"

    func testProgressLinesOnA1MDrop() throws {
        _ = try CLI.scalar("drop database if exists \(Self.database)")
        _ = try CLI.scalar("create database \(Self.database)")
        defer { _ = try? CLI.scalar("drop database if exists \(Self.database)") }
        let db = CLI.cluster.conninfo(database: Self.database)
        let dir = CLI.tempDir("progress")
        let drop = dir + "/drop", out = dir + "/out"
        let (synthStatus, _, synthErr) = try CLI.lens(["synth", "--scale", "1m", drop])
        XCTAssertEqual(synthStatus, 0, synthErr)

        // Not a terminal, a line per report (LENS_PROGRESS_INTERVAL=0 instead of every 5 s: a
        // step of this drop may take less than 5 s; the pacing itself is ProgressDisplayTests').
        let (status, stdout, err) = try CLI.lens(["run", "--source", drop, "--out", out, "--database", db],
                                                 env: ["LENS_PROGRESS_INTERVAL": "0"])
        XCTAssertEqual(status, 0, err)
        // The output contract: the summary (results) on stdout, progress (talk) on stderr only.
        XCTAssertTrue(stdout.contains("loaded as version"), stdout)
        XCTAssertFalse(stdout.contains("lens: "), "no progress on stdout:\n\(stdout)")
        XCTAssertFalse(err.contains("\r") || err.contains("\u{1B}"), "no redraws when stderr is not a terminal")
        let lines = err.split(separator: "\n").map(String.init)
        func index(_ prefix: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
            guard let i = lines.firstIndex(where: { $0.hasPrefix(prefix) }) else {
                XCTFail("no line starting \"\(prefix)\" in:\n\(err)", file: file, line: line)
                return -1
            }
            return i
        }
        let ratingsBytes = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: drop + "/ratings.csv")[.size] as? NSNumber)
        let mb = String(format: "%.1f", ratingsBytes.doubleValue / 1_000_000)
        let checks = try FileManager.default.contentsOfDirectory(atPath: CLI.repo + "/sql/checks").filter { try $0.hasSuffix(".sql") &&
            !(try String(contentsOfFile: CLI.repo + "/sql/checks/" + $0, encoding: .utf8)).contains("{{catalog}}")
        }.count
        XCTAssertEqual(checks, 5)
        let order = [
            index("lens: checksum: ratings.csv "),
            index("lens: ingest_clean: ratings.csv \(mb) / \(mb) MB (100%)"),
            index("lens: parquet: genome_scores 1,048,576 / 3,384,000 rows (30%)"),
            index("lens: load: copy ratings 65,536 / 1,000,000 rows (6%)"),
            index("lens:   copied 1000000 rows into ratings"),
            index("lens: load: index ratings_pkey 0 s"),
            index("lens: load: ratings keys 0 s"),
            index("lens: load: analyze ratings 0 s"),
            index("lens: load: checks 0 / \(checks) checks (0%)"),
            index("lens: load: checks \(checks) / \(checks) checks (100%)"),
            index("lens: load: publish 0 s"),
            index("lens: load done in "),
        ]
        XCTAssertEqual(order, order.sorted(), "in the order the steps run:\n\(err)")
        XCTAssertTrue(lines.contains("lens: load: copy genome_scores 65,536 / 3,384,000 rows (1%)"), err)

        // --quiet: the summary only (a forced reload, so that every stage runs again).
        let (qStatus, qOut, qErr) = try CLI.lens(["run", "--source", drop, "--out", out, "--database", db, "--force", "--quiet"],
                                                 env: ["LENS_PROGRESS_INTERVAL": "0"])
        XCTAssertEqual(qStatus, 0, qErr)
        XCTAssertEqual(qErr.split(separator: "\n").filter { $0.hasPrefix("lens:") }, [], qErr)
        XCTAssertTrue(qOut.contains("source \(drop) (drop date 2019-11-21), loaded as version 2"), qOut)
        XCTAssertTrue(qOut.contains("  ratings.csv: 1000000 = 1000000 + 0 + 0 + 0 + 0  ok"), qOut)
        // Errors still print under --quiet (this version holds no buffer back: exit 64).
        let (aStatus, aOut, aErr) = try CLI.lens(["append", "--next", "--quiet", "--database", db])
        XCTAssertEqual(aStatus, 64, aErr)
        XCTAssertEqual(aOut, "")
        XCTAssertTrue(aErr.hasPrefix("lens: ") && aErr.contains("holds no buffer back"), aErr)

        // A terminal: `script` gives lens a pseudo-terminal as stderr.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            throw XCTSkip("script (util-linux) is not installed: the live line is not tested")
        }
        let log = dir + "/tty.log"
        let command = ([CLI.binary, "run", "--source", drop, "--out", out, "--database", db, "--force"])
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let (tStatus, _, tErr) = try CLI.run(["script", "-qfec", command, log],
                                             env: ["LENS_HOME": CLI.home, "LENS_SQL_DIR": CLI.repo + "/sql", "COLUMNS": "200"])
        XCTAssertEqual(tStatus, 0, tErr)
        let tty = String(decoding: try Data(contentsOf: URL(fileURLWithPath: log)), as: UTF8.self)
        XCTAssertTrue(tty.contains("\r\u{1B}[Klens: load: copy ratings "), "the COPY on the live line:\n\(tty)")
        XCTAssertTrue(tty.contains("\r\u{1B}[Klens: load done in "), "the live line cleared before the stage line:\n\(tty)")
        XCTAssertTrue(tty.contains("loaded as version 3"), tty)
    }
}
