import XCTest
@testable import LensCore

/// Protects the numeric-file reject rules and their order (field_count > blank_field >
/// unparseable > nonpositive_id), and that the fast path gives strtod's doubles.
final class NumericLineTests: XCTestCase {
    static let kinds: [NumericLine.Kind] = [.id, .id, .num, .int]

    func reason(_ s: String) -> RejectReason? {
        var v = NumericLine.Values()
        return Array(s.utf8).withUnsafeBytes { NumericLine.parse($0, kinds: Self.kinds, into: &v) }
    }

    func values(_ s: String) -> NumericLine.Values {
        var v = NumericLine.Values()
        let r = Array(s.utf8).withUnsafeBytes { NumericLine.parse($0, kinds: Self.kinds, into: &v) }
        XCTAssertNil(r, s)
        return v
    }

    func testGoodLinesParseToExactValues() {
        let v = values("1,31,2.5,1260759144")
        XCTAssertEqual(v.ints.0, 1)
        XCTAssertEqual(v.ints.1, 31)
        XCTAssertEqual(v.nums.2, 2.5)
        XCTAssertEqual(v.ints.3, 1_260_759_144)
        XCTAssertEqual(values("1,2,0.30000,5").nums.2, Double("0.30000"))
        XCTAssertEqual(values("1,2,5,5").nums.2, 5)
        XCTAssertEqual(values(" 1 , 2 ,1e1,5").nums.2, 10)  // blanks and exponents go the slow way
        XCTAssertEqual(values("1,2,-1.0,5").nums.2, -1)
    }

    func testRejectReasonsInContractOrder() {
        XCTAssertEqual(reason("1,2"), .fieldCount)
        XCTAssertEqual(reason("1,2,3,4,5"), .fieldCount)
        XCTAssertEqual(reason("1,2,,4"), .blankField)
        XCTAssertEqual(reason("0,2, ,4"), .blankField)         // blank beats nonpositive
        XCTAssertEqual(reason("1,x,3,4"), .unparseable)
        XCTAssertEqual(reason("1,2,nan,4"), .unparseable)
        XCTAssertEqual(reason("1,2,inf,4"), .unparseable)
        XCTAssertEqual(reason("2147483648,2,3,4"), .unparseable)  // above int32
        XCTAssertEqual(reason("0,2,x,4"), .unparseable)           // unparseable beats nonpositive
        XCTAssertEqual(reason("0,2,3,4"), .nonpositiveId)
        XCTAssertEqual(reason("-5,2,3,4"), .nonpositiveId)
        XCTAssertEqual(reason("1,2,3,4.5"), .unparseable)         // timestamp must be an integer
        XCTAssertEqual(reason(""), .fieldCount)
    }
}
