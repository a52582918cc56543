import XCTest

@testable import LensCore

final class TextEncodingTests: XCTestCase {
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
