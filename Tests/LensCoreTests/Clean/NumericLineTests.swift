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

    /// Protects the specialised ratings and genome-scores parsers (the byte loops written out
    /// per shape): on good lines and on random near-miss lines they give the same
    /// values and the same reasons as the generic parser, which the contract tests above pin.
    func testSpecialisedParsersAgreeWithTheGenericOne() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["0", "1", "7", "42", "123456789", "1234567890", "2147483647", "2147483648", "4.5", "0.5", "5.",
                      ".5", ".", "3.25", "12345678.5", "1e1", "-1", "+3", " 4", "4 ", "", "x", "964982703",
                      "1234567890123456", "123456789012345", "0.30000", "00000007"]
        func line(_ fields: Int, _ sep: Character) -> String {
            (0..<fields).map { _ in pieces.randomElement(using: &rng)! }.joined(separator: String(sep))
        }
        var lines = ["1,31,2.5,1260759144", "123456789,987654321,5,1537920000", "1,2,3,4,5", "1,2,3", ",,,", "1,2,3,"]
        for _ in 0..<20_000 { lines.append(line(Int.random(in: 2...5, using: &rng), ",")) }
        for text in lines {
            var generic = NumericLine.Values(), special = NumericLine.Values()
            let bytes = Array(text.utf8)
            let a = bytes.withUnsafeBytes { NumericLine.parse($0, kinds: NumericLine.ratingKinds, into: &generic) }
            let b = bytes.withUnsafeBytes { NumericLine.parseRating($0, separator: UInt8(ascii: ","), into: &special) }
            XCTAssertEqual(a, b, text)
            if a == nil {
                XCTAssertEqual([generic.ints.0, generic.ints.1, generic.ints.3], [special.ints.0, special.ints.1, special.ints.3], text)
                XCTAssertEqual(generic.nums.2.bitPattern, special.nums.2.bitPattern, text)
            }
            let tab = Array(text.replacingOccurrences(of: ",", with: "\t").utf8)
            var tabbed = NumericLine.Values()
            let c = tab.withUnsafeBytes { NumericLine.parseRating($0, separator: UInt8(ascii: "\t"), into: &tabbed) }
            XCTAssertEqual(a, c, "tab-separated: " + text)
            if a == nil { XCTAssertEqual(generic.nums.2.bitPattern, tabbed.nums.2.bitPattern, text) }
            var genericScore = NumericLine.Values(), score = NumericLine.Values()
            let d = bytes.withUnsafeBytes { NumericLine.parse($0, kinds: NumericLine.scoreKinds, into: &genericScore) }
            let e = bytes.withUnsafeBytes { NumericLine.parseScore($0, into: &score) }
            XCTAssertEqual(d, e, "score: " + text)
            if d == nil {
                XCTAssertEqual([genericScore.ints.0, genericScore.ints.1], [score.ints.0, score.ints.1], text)
                XCTAssertEqual(genericScore.nums.2.bitPattern, score.nums.2.bitPattern, text)
            }
        }
    }
}
