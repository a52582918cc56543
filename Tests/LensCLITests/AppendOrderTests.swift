import Foundation
import XCTest

/// Protects the time order of held-back buffer batches: `lens append --next` appends the earliest
/// batch still held back and says when none is left; `--batch N` is refused while an earlier batch
/// is held back unless `--out-of-order`, which the catalog records; exactly one of the two is given.
final class AppendOrderTests: XCTestCase {
    func testBatchesAreAppendedInTimeOrderUnlessOutOfOrderIsAsked() throws {
        let db = CLI.cluster.conninfo
        // A drop date of its own so that this test's load is a new version, whatever ran before it.
        let (s0, _, e0) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("order"), "--database", db,
                                        "--hold-back-buffer", "--drop-date", "2031-03-03"])
        XCTAssertEqual(s0, 0, e0)
        let version = try CLI.scalar("select version from lens_catalog.versions where is_current")
        /// The exit code and what the user sees: the result (stdout) then the error (stderr).
        func append(_ args: [String]) throws -> (Int32, String) {
            let (s, o, e) = try CLI.lens(["append"] + args + ["--database", db])
            return (s, o + e)
        }

        let (s1, e1) = try append(["--batch", "3"])
        XCTAssertEqual(s1, 64, e1)
        XCTAssertTrue(e1.contains("version \(version) still holds back earlier batches 1, 2; append in time order with `lens append --next`, or pass --out-of-order to append batch 3 before them"), e1)
        XCTAssertEqual(try CLI.scalar("select count(*) from lens_catalog.appends where version = \(version)"), "0", "nothing appended")

        let (s2, e2) = try append(["--next"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(e2.contains("appended batch 1 to version \(version): "), e2)
        XCTAssertTrue(e2.contains("held back: 2, 3, 4, 5"), e2)

        let (s3, e3) = try append(["--batch", "3", "--out-of-order"])
        XCTAssertEqual(s3, 0, e3)
        XCTAssertTrue(e3.contains("appended batch 3 to version \(version) out of order: "), e3)

        for expected in [2, 4, 5] {
            let (s, e) = try append(["--next"])
            XCTAssertEqual(s, 0, e)
            XCTAssertTrue(e.contains("appended batch \(expected) to version \(version): "), e)
        }
        let (s4, e4) = try append(["--next"])
        XCTAssertEqual(s4, 0, e4)
        XCTAssertEqual(e4, "all 5 batches are appended to version \(version); nothing to do\n")
        // Re-appending an appended batch stays a no-op, in or out of order.
        let (s5, e5) = try append(["--batch", "2"])
        XCTAssertEqual(s5, 0, e5)
        XCTAssertTrue(e5.contains("nothing changed"), e5)

        XCTAssertEqual(try CLI.scalar("select string_agg(batch || ':' || out_of_order, ',' order by run_id) from lens_catalog.appends where version = \(version)"),
                       "1:false,3:true,2:false,4:false,5:false")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings_buffer b where not exists (select 1 from movielens.ratings r where r.user_id = b.user_id and r.movie_id = b.movie_id)"),
                       "0", "every buffer row is in ratings")
    }

    /// Neither or both of --next and --batch is a usage error (exit 64) that says what to give.
    func testExactlyOneOfNextAndBatch() throws {
        for args in [["append"], ["append", "--next", "--batch", "1"]] {
            let (s, _, e) = try CLI.lens(args + ["--database", CLI.cluster.conninfo])
            XCTAssertEqual(s, 64, e)
            XCTAssertTrue(e.contains("give exactly one of --next and --batch N"), e)
        }
        let (s, _, e) = try CLI.lens(["append", "--next", "--out-of-order", "--database", CLI.cluster.conninfo])
        XCTAssertEqual(s, 64, e)
        XCTAssertTrue(e.contains("--out-of-order goes with --batch N, not --next"), e)
    }
}
