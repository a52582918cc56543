import XCTest
@testable import LensCore

/// Protects the progress display's text and pacing: what a step looks like (counts, percent,
/// rate, ETA), that a terminal gets one live line redrawn in place at most every 0.1 s and
/// cleared before other text, that a log gets a plain line per step only every `interval`
/// seconds, and that `--quiet` shows no progress but still the messages.
final class ProgressDisplayTests: XCTestCase {
    let clear = "\r\u{1B}[K"

    /// Rows, bytes, checks and uncounted steps; the rate only once measured over a second.
    func testDescribe() {
        XCTAssertEqual(ProgressDisplay.describe(step: "copy ratings", done: 412_000, total: 1_000_000, unit: .rows, elapsed: 0.5),
                       "copy ratings 412,000 / 1,000,000 rows (41%)")
        XCTAssertEqual(ProgressDisplay.describe(step: "copy ratings", done: 412_000, total: 1_000_000, unit: .rows, elapsed: 2),
                       "copy ratings 412,000 / 1,000,000 rows (41%), 206k rows/s, ETA 3 s")
        XCTAssertEqual(ProgressDisplay.describe(step: "copy tags", done: 3_000_000, total: nil, unit: .rows, elapsed: 2),
                       "copy tags 3,000,000 rows, 1.5M rows/s")
        XCTAssertEqual(ProgressDisplay.describe(step: "ratings.csv", done: 120_400_000, total: 678_000_000, unit: .bytes, elapsed: 2),
                       "ratings.csv 120.4 / 678.0 MB (17%), 60 MB/s, ETA 10 s")
        XCTAssertEqual(ProgressDisplay.describe(step: "checks", done: 3, total: 12, unit: .checks, elapsed: 3),
                       "checks 3 / 12 checks (25%), ETA 9 s")
        XCTAssertEqual(ProgressDisplay.describe(step: "publish", done: 0, total: nil, unit: .none, elapsed: 3.9), "publish 3 s")
        XCTAssertEqual(ProgressDisplay.describe(step: "index ratings_pkey (loading tuples in tree)", done: 5_000_000,
                                                total: 20_000_000, unit: .tuples, elapsed: 4, rateDone: 5_000_000, rateSeconds: 1),
                       "index ratings_pkey (loading tuples in tree) 5,000,000 / 20,000,000 tuples (25%), 5.0M tuples/s, ETA 3 s")
        XCTAssertEqual(ProgressDisplay.duration(125), "2 min 05 s")
        XCTAssertEqual(ProgressDisplay.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(ProgressDisplay.grouped(999), "999")
    }

    /// Not a terminal: a line per step every 5 s of its run (none for a shorter step), the
    /// rate measured since the step's first report, and a step ends when its count is reached.
    func testPlainLinesEveryInterval() {
        var d = ProgressDisplay(mode: .plain(interval: 5))
        d.stage = "load"
        XCTAssertEqual(d.update(step: "copy ratings", done: 0, total: 1_000_000, unit: .rows, now: 0), "")
        XCTAssertEqual(d.update(step: "copy ratings", done: 200_000, total: 1_000_000, unit: .rows, now: 2), "")
        XCTAssertEqual(d.update(step: "copy ratings", done: 500_000, total: 1_000_000, unit: .rows, now: 5),
                       "lens: load: copy ratings 500,000 / 1,000,000 rows (50%), 100k rows/s, ETA 5 s\n")
        XCTAssertEqual(d.update(step: "copy ratings", done: 600_000, total: 1_000_000, unit: .rows, now: 6), "")
        XCTAssertEqual(d.update(step: "copy tags", done: 10, total: 20, unit: .rows, now: 6), "")
        XCTAssertEqual(d.update(step: "copy ratings", done: 900_000, total: 1_000_000, unit: .rows, now: 10),
                       "lens: load: copy ratings 900,000 / 1,000,000 rows (90%), 90k rows/s, ETA 2 s\n")
        XCTAssertEqual(d.update(step: "copy ratings", done: 1_000_000, total: 1_000_000, unit: .rows, now: 11), "")
        XCTAssertEqual(d.steps.map(\.name), ["copy tags"])
        XCTAssertEqual(d.message("lens: load done in 11.00 s", now: 11), "lens: load done in 11.00 s\n")
        XCTAssertEqual(d.endAll(), "")
        XCTAssertTrue(d.steps.isEmpty)

        var every = ProgressDisplay(mode: .plain(interval: 0))
        XCTAssertEqual(every.update(step: "publish", done: 0, total: nil, unit: .none, now: 0), "lens: publish 0 s\n")
        XCTAssertEqual(every.update(step: "publish", done: 0, total: nil, unit: .none, now: 0.5), "lens: publish 0 s\n")
    }

    /// A terminal: one line, redrawn in place at most every 0.1 s, listing the steps running at
    /// once, cut to the width; other text clears it first and it is drawn again below.
    func testLiveLineRedrawnInPlace() {
        var d = ProgressDisplay(mode: .live(width: 120))
        d.stage = "load"
        XCTAssertEqual(d.update(step: "copy ratings", done: 0, total: 1_000_000, unit: .rows, now: 0),
                       clear + "lens: load: copy ratings 0 / 1,000,000 rows (0%)")
        XCTAssertEqual(d.update(step: "copy ratings", done: 65_536, total: 1_000_000, unit: .rows, now: 0.05), "")
        XCTAssertEqual(d.update(step: "copy tags", done: 5, total: 10, unit: .rows, now: 0.1),
                       clear + "lens: load: copy ratings 65,536 / 1,000,000 rows (6%) | copy tags 5 / 10 rows (50%)")
        // A finished step leaves the line at its next redraw: the heartbeat's, when no event comes.
        XCTAssertEqual(d.update(step: "copy tags", done: 10, total: 10, unit: .rows, now: 0.12), "")
        XCTAssertEqual(d.heartbeat(now: 0.5), clear + "lens: load: copy ratings 65,536 / 1,000,000 rows (6%)")
        XCTAssertEqual(d.heartbeat(now: 1.0), "", "nothing changed")
        XCTAssertEqual(d.message("lens:   copied 10 rows into tags", now: 0.13),
                       clear + "lens:   copied 10 rows into tags\n" + clear + "lens: load: copy ratings 65,536 / 1,000,000 rows (6%)")
        XCTAssertEqual(d.end(step: "copy ratings", now: 0.14), clear, "the last step gone: the line goes at once")
        XCTAssertEqual(d.message("lens: load done", now: 0.15), "lens: load done\n", "no live line to clear")

        var narrow = ProgressDisplay(mode: .live(width: 30))
        let line = narrow.update(step: "index ratings_movie_id_idx, ratings_batch_idx", done: 0, total: nil, unit: .none, now: 0)
        XCTAssertEqual(line, clear + "lens: index ratings_movie_id…")
        XCTAssertEqual(line.count - clear.count, 29, "one column short of the width, so the terminal never wraps")
        XCTAssertEqual(narrow.clearLive(), clear)
        XCTAssertEqual(narrow.clearLive(), "", "cleared once")
    }

    /// A step renamed by its next phase (ended and started at once) keeps its place on the line.
    func testRenamedStepKeepsItsPlace() {
        var d = ProgressDisplay(mode: .live(width: 200))
        _ = d.update(step: "index a", done: 0, total: nil, unit: .none, now: 0)
        _ = d.update(step: "index b", done: 0, total: nil, unit: .none, now: 0)
        XCTAssertEqual(d.end(step: "index a", now: 1), "")
        XCTAssertEqual(d.update(step: "index a (scanning table)", done: 5, total: 10, unit: .blocks, now: 1.001),
                       clear + "lens: index a (scanning table) 5 / 10 blocks (50%) | index b 1 s")
    }

    /// An index build that moves from scanning blocks to loading tuples measures its rate anew.
    func testRateRestartsWhenTheUnitChanges() {
        var d = ProgressDisplay(mode: .plain(interval: 0))
        _ = d.update(step: "index", done: 500, total: 1000, unit: .blocks, now: 0)
        _ = d.update(step: "index", done: 0, total: 4_000_000, unit: .tuples, now: 10)
        XCTAssertEqual(d.update(step: "index", done: 2_000_000, total: 4_000_000, unit: .tuples, now: 12),
                       "lens: index 2,000,000 / 4,000,000 tuples (50%), 1.0M tuples/s, ETA 2 s\n")
    }

    /// `--quiet`: no progress at all, but messages (warnings, the summary) still come out.
    func testQuietShowsOnlyMessages() {
        var d = ProgressDisplay(mode: .quiet)
        XCTAssertEqual(d.update(step: "copy ratings", done: 0, total: 10, unit: .rows, now: 100), "")
        XCTAssertTrue(d.steps.isEmpty)
        XCTAssertEqual(d.message("warnings:", now: 101), "warnings:\n")
    }
}

/// Protects "a stage without steps still shows it is alive": the split and the features report
/// no step, so the heartbeat shows the stage's elapsed seconds, on the live line at most once a
/// second, as a plain line every interval, and not while a step is shown or between stages.
final class ProgressHeartbeatTests: XCTestCase {
    func testHeartbeatOfAStageWithoutSteps() {
        var live = ProgressDisplay(mode: .live(width: 80))
        XCTAssertEqual(live.heartbeat(now: 5), "", "no stage")
        live.beginStage("split", now: 10)
        XCTAssertEqual(live.heartbeat(now: 11.2), "\r\u{1B}[Klens: split 1 s")
        XCTAssertEqual(live.heartbeat(now: 11.7), "", "at most once a second")
        XCTAssertEqual(live.heartbeat(now: 12.3), "\r\u{1B}[Klens: split 2 s")
        XCTAssertEqual(live.message("lens: split done in 2.40 s", now: 12.4), "\r\u{1B}[Klens: split done in 2.40 s\n")
        _ = live.update(step: "copy ratings", done: 1, total: 10, unit: .rows, now: 13.5)
        XCTAssertEqual(live.heartbeat(now: 14.6), "", "a step is shown instead")

        var plain = ProgressDisplay(mode: .plain(interval: 5))
        plain.beginStage("features", now: 0)
        XCTAssertEqual(plain.heartbeat(now: 4.9), "")
        XCTAssertEqual(plain.heartbeat(now: 5.0), "lens: features 5 s\n")
        XCTAssertEqual(plain.heartbeat(now: 7.0), "")
        XCTAssertEqual(plain.heartbeat(now: 10.2), "lens: features 10 s\n")
        plain.beginStage(nil, now: 11)
        XCTAssertEqual(plain.heartbeat(now: 30), "", "between stages")

        var quiet = ProgressDisplay(mode: .quiet)
        quiet.beginStage("split", now: 0)
        XCTAssertEqual(quiet.heartbeat(now: 10), "")
    }
}
