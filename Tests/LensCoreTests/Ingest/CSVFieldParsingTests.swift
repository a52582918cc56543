import Foundation
import XCTest

@testable import LensCore

final class CSVFieldParsingTests: XCTestCase {
    /// Runs a parser on the UTF-8 bytes of `text`.
    private func parse<T>(_ text: String, _ parser: (UnsafeRawBufferPointer) -> T) -> T {
        Array(text.utf8).withUnsafeBytes { parser($0) }
    }

    /// `strtod` on `text`, for comparison.
    private func strtodValue(_ text: String) -> Double {
        text.withCString { strtod($0, nil) }
    }

    /// Protects ids: digits with an optional sign, nothing else, and the exact Int32 range.
    func testParseInt32() {
        let cases: [(String, Int32?)] = [
            ("0", 0), ("1", 1), ("42", 42), ("+7", 7), ("-7", -7), ("007", 7), ("-0", 0),
            ("2147483647", Int32.max), ("-2147483648", Int32.min),
            ("2147483648", nil), ("-2147483649", nil), ("99999999999", nil),
            ("00000000000000000000000012", 12), ("000000000000000000000002147483648", nil),
            ("", nil), ("+", nil), ("-", nil), (" 1", nil), ("1 ", nil), ("1.0", nil), ("1e3", nil),
            ("0x10", nil), ("1_000", nil), ("١", nil), ("12a", nil), ("a12", nil), ("--1", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(parse(text, CSVField.parseInt32), expected, "'\(text)'")
        }
    }

    /// Protects timestamps: the exact Int64 range and overflow detection.
    func testParseInt64() {
        let cases: [(String, Int64?)] = [
            ("964982703", 964_982_703), ("1574327703", 1_574_327_703), ("-1", -1), ("+0", 0),
            ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
            ("9223372036854775808", nil), ("-9223372036854775809", nil), ("18446744073709551616", nil),
            ("99999999999999999999", nil), ("0000000000000000000000000009223372036854775807", Int64.max),
            ("", nil), ("1.5", nil), (" 12", nil), ("12 ", nil), ("1e9", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(parse(text, CSVField.parseInt64), expected, "'\(text)'")
        }
        // Every length 1...19 through the eight-digits-at-a-time path.
        var digits = ""
        for length in 1...19 {
            digits += String(length % 10)
            XCTAssertEqual(parse(digits, CSVField.parseInt64), Int64(digits), digits)
            XCTAssertEqual(parse("-" + digits, CSVField.parseInt64), Int64("-" + digits), digits)
        }
    }

    /// Protects ratings and relevances: decimals, signs, exponents; non-finite and non-numbers
    /// rejected, where strtod would accept them.
    func testParseDoubleEdgeCases() {
        let cases: [(String, Double?)] = [
            ("4.5", 4.5), ("-1", -1), ("50.0", 50), ("1e3", 1000), ("1E-2", 0.01), ("+2.5", 2.5),
            (".5", 0.5), ("5.", 5), ("0", 0), ("0.0", 0), ("00012.5000", 12.5), ("2.5e+1", 25),
            ("1e400", nil), ("-1e400", nil), ("nan", nil), ("NaN", nil), ("inf", nil), ("-inf", nil),
            ("Infinity", nil), ("0x1p3", nil), ("", nil), (" ", nil), (".", nil), ("-", nil), ("e5", nil),
            ("1e", nil), ("1e+", nil), ("1.2.3", nil), (" 4.5", nil), ("4.5 ", nil), ("4,5", nil), ("--1", nil),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(parse(text, CSVField.parseDouble), expected, "'\(text)'")
        }
        XCTAssertEqual(parse("-0.0", CSVField.parseDouble)?.sign, .minus)
        XCTAssertEqual(parse("1e-400", CSVField.parseDouble), 0)
    }

    /// Protects "strtod-compatible": random decimals of every shape give strtod's exact bits,
    /// through the fast paths and the slow one alike.
    func testParseDoubleMatchesStrtodBitForBit() {
        var generator = SystemRandomNumberGenerator()
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
        }
        for _ in 0..<50_000 {
            var text = Bool.random(using: &generator) ? "" : "-"
            text += digits(Int.random(in: 0...12, using: &generator))
            if Bool.random(using: &generator) { text += "." + digits(Int.random(in: 0...25, using: &generator)) }
            if text.allSatisfy({ $0 == "-" || $0 == "." }) { text += "7" }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                text += "e" + String(Int.random(in: -330...310, using: &generator))
            }
            let expected = strtodValue(text)
            let got = parse(text, CSVField.parseDouble)
            if expected.isFinite {
                XCTAssertEqual(got?.bitPattern, expected.bitPattern, text)
            } else {
                XCTAssertNil(got, text)
            }
        }
        for text in [
            "0.1", "0.3", "2.675", "9007199254740993", "1.7976931348623157e308", "4.9e-324",
            "123456789012345678901234567890", "0.000000000000000000000000000001",
        ] {
            XCTAssertEqual(parse(text, CSVField.parseDouble)?.bitPattern, strtodValue(text).bitPattern, text)
        }
    }

    /// Protects trimming and the blank test used to tell "blank" from "unparseable" rejects.
    func testTrimmingAndBlanks() {
        XCTAssertEqual(parse(" \t 12\t ", { Array(CSVField.trimmed($0)) }), Array("12".utf8))
        XCTAssertEqual(parse("   ", { Array(CSVField.trimmed($0)) }), [])
        XCTAssertEqual(parse("a b", { Array(CSVField.trimmed($0)) }), Array("a b".utf8))
        XCTAssertTrue(parse("", CSVField.isBlank))
        XCTAssertTrue(parse(" \t", CSVField.isBlank))
        XCTAssertFalse(parse(" 0 ", CSVField.isBlank))
        XCTAssertEqual(parse(" 7 ", { CSVField.parseInt32(CSVField.trimmed($0)) }), 7)
    }

    /// Protects the UTF-8 validator on the classic invalid forms (overlong, surrogates, > U+10FFFF,
    /// truncated sequences, stray continuation bytes) and on valid text of every length.
    func testUTF8Validation() {
        func valid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { UTF8Validation.isValid($0) } }
        XCTAssertTrue(valid(Array("plain ascii, longer than eight bytes".utf8)))
        XCTAssertTrue(valid(Array("Amélie, Léon, 千と千尋の神隠し, 🎬".utf8)))
        XCTAssertTrue(valid([]))
        XCTAssertTrue(valid([0xF4, 0x8F, 0xBF, 0xBF]))  // U+10FFFF
        XCTAssertTrue(valid([0xED, 0x9F, 0xBF]))  // U+D7FF
        for bad: [UInt8] in [
            [0xE9], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80],
            [0xC3], [0xE2, 0x82], [0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xFF], [0xC3, 0x41],
        ] {
            XCTAssertFalse(valid(bad), "\(bad)")
        }
        // Agrees with the standard library's decoder on random bytes.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0x20...0x7E, using: &generator)
                    : UInt8.random(in: 0x80...0xFF, using: &generator)
            }
            let roundTrips = Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
            XCTAssertEqual(valid(bytes), roundTrips, "\(bytes)")
        }
        XCTAssertThrowsError(try [UInt8]([0x61, 0xE9]).withUnsafeBytes { try CSVField.string($0) }) {
            XCTAssertEqual($0 as? CSVFieldError, .invalidUTF8)
        }
    }

    /// Protects the Latin-1 transcoding used for ml-100k's u.item titles.
    func testLatin1ToUTF8() {
        let latin1: [UInt8] = Array("Am".utf8) + [0xE9] + Array("lie ".utf8) + [0xFF, 0xA0]
        XCTAssertEqual(Latin1.string(latin1), "Amélie ÿ\u{A0}")
        var out: [UInt8] = Array("x".utf8)
        latin1.withUnsafeBytes { Latin1.transcode($0, into: &out) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "xAmélie ÿ\u{A0}")
    }
}
