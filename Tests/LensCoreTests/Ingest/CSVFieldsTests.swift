import XCTest

@testable import LensCore

final class CSVFieldsTests: XCTestCase {
    /// Splits `text` and returns the fields as strings, or the error's reason.
    private func split(_ text: String, _ fields: CSVFields = CSVFields()) -> [String] {
        let bytes = Array(text.utf8)
        do {
            try bytes.withUnsafeBytes { try fields.split($0) }
            return bytes.withUnsafeBytes { _ in
                (0..<fields.count).map { String(decoding: fields[$0], as: UTF8.self) }
            }
        } catch {
            return ["error: \((error as? CSVFieldError)?.rawValue ?? "\(error)")"]
        }
    }

    /// Splits `text` with `fields` and runs `body` while the line's bytes are alive.
    private func withSplit<T>(_ text: String, _ fields: CSVFields, _ body: () throws -> T) throws -> T {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            try fields.split(raw)
            return try body()
        }
    }

    /// Protects the fast path: plain fields, empty fields, a trailing separator, an empty line.
    func testUnquotedLines() {
        XCTAssertEqual(split("1,2,4.5,964982703"), ["1", "2", "4.5", "964982703"])
        XCTAssertEqual(split("a,,c"), ["a", "", "c"])
        XCTAssertEqual(split(",a,"), ["", "a", ""])
        XCTAssertEqual(split(""), [""])
        XCTAssertEqual(split(","), ["", ""])
        XCTAssertEqual(split("abcdefgh"), ["abcdefgh"])
        XCTAssertEqual(split("abcdefg,"), ["abcdefg", ""])
        XCTAssertEqual(split(",,,,,,,,,,,,,,,,,,"), Array(repeating: "", count: 19))
    }

    /// Protects lines with many fields (more than the initial room, more than 4 per word).
    func testManyFieldsGrowTheStorage() {
        let values = (0..<500).map { String($0 % 7) }
        XCTAssertEqual(split(values.joined(separator: ","), CSVFields(expectedFieldCount: 2)), values)
        let long = (0..<50).map { "field\($0)" }
        XCTAssertEqual(split(long.joined(separator: ",")), long)
    }

    /// Protects RFC 4180 quoting: commas and `""` inside quotes, empty quoted fields.
    func testQuotedFields() {
        XCTAssertEqual(
            split(#"1,"Matrix, The (1999)",Action|Sci-Fi"#), ["1", "Matrix, The (1999)", "Action|Sci-Fi"])
        XCTAssertEqual(split(#""say ""hi""","""""#), [#"say "hi""#, #"""#])
        XCTAssertEqual(split(#""",x,"""#), ["", "x", ""])
        XCTAssertEqual(split(#""a","#), ["a", ""])
        XCTAssertEqual(split(#"x,"quotable, memorable",y"#), ["x", "quotable, memorable", "y"])
    }

    /// Protects the reasons a malformed line is rejected with (pinned: they are user-visible).
    func testMalformedQuotingIsReported() {
        XCTAssertEqual(split(#"1,"unterminated"#), ["error: unterminated_quote"])
        XCTAssertEqual(split(#"1,"a"""#), ["error: unterminated_quote"])
        XCTAssertEqual(split(#"""#), ["error: unterminated_quote"])
        XCTAssertEqual(split(#"1,ab"c,2"#), ["error: bad_quote"])
        XCTAssertEqual(split(#"1,"ab"c,2"#), ["error: bad_quote"])
        XCTAssertEqual(split(#""a" ,b"#), ["error: bad_quote"])
        XCTAssertEqual(CSVFieldError.invalidUTF8.rawValue, "invalid_utf8")
    }

    /// Protects the splitter's reuse: a quoted line followed by a plain one (the two paths
    /// keep separate storage) and a quoted line longer than the scratch space.
    func testReuseAcrossPathsAndLongQuotedLines() {
        let fields = CSVFields()
        XCTAssertEqual(split(#""a,b",c"#, fields), ["a,b", "c"])
        XCTAssertEqual(split("d,e,f", fields), ["d", "e", "f"])
        let long = String(repeating: "q", count: 10_000)
        XCTAssertEqual(split("\"\(long)\",x", fields), [long, "x"])
        XCTAssertEqual(split("", fields), [""])
        XCTAssertEqual(split("1,2", fields), ["1", "2"])
    }

    /// A plain, obviously-correct RFC 4180 splitter to compare against.
    private func referenceSplit(_ text: [Character]) -> [String] {
        var fields: [String] = []
        var i = 0
        while true {
            var field = ""
            if i < text.count && text[i] == "\"" {
                i += 1
                while true {
                    guard i < text.count else { return ["error: unterminated_quote"] }
                    if text[i] == "\"" {
                        if i + 1 < text.count && text[i + 1] == "\"" {
                            field.append("\"")
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    field.append(text[i])
                    i += 1
                }
                if i < text.count && text[i] != "," { return ["error: bad_quote"] }
            } else {
                while i < text.count && text[i] != "," {
                    if text[i] == "\"" { return ["error: bad_quote"] }
                    field.append(text[i])
                    i += 1
                }
            }
            fields.append(field)
            if i == text.count { return fields }
            i += 1
        }
    }

    /// Protects both paths against a reference on random lines of commas, quotes and letters,
    /// at every length around the eight-byte words.
    func testRandomLinesMatchAReferenceSplitter() {
        let fields = CSVFields()
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "b", ",", ",", "\"", " ", "7"]
        for _ in 0..<30_000 {
            let quoteFree = Bool.random(using: &generator)
            let line = (0..<Int.random(in: 0...40, using: &generator)).map { _ -> Character in
                let c = alphabet.randomElement(using: &generator)!
                return quoteFree && c == "\"" ? "x" : c
            }
            XCTAssertEqual(split(String(line), fields), referenceSplit(line), String(line))
        }
    }

    /// Protects the other separators and unquoted formats (ml-100k u.data, u.item).
    func testOtherSeparatorsAndQuotingOff() {
        XCTAssertEqual(split("196\t242\t3\t881250949", CSVFields(separator: 0x09)), ["196", "242", "3", "881250949"])
        let pipes = CSVFields(separator: UInt8(ascii: "|"), quoting: false)
        XCTAssertEqual(split(#"1|Toy Story (1995)|"x|"#, pipes), ["1", "Toy Story (1995)", #""x"#, ""])
    }

    /// Protects the typed readers against the general parsers they shortcut, on fields at every
    /// position of short and long lines (the word loads must stay inside the line).
    func testTypedReadersAgreeWithTheGeneralParsers() throws {
        let fields = CSVFields()
        let samples = [
            "0", "7", "42", "0042", "123456", "12345678", "123456789", "1234567890123456", "12345678901234567",
            "2147483647", "2147483648", "-5", "+5", "", " 1", "1 ", "x", "4.5", "0.5", "50.0", ".5", "5.",
            "1e3", "-0.0", "3.14159", "1.", "..", "1.2.3", "9999999999999999999", "00000000000000000000001",
        ]
        for a in samples {
            for b in samples {
                for layout in [[a], [a, b], [b, a], ["x", a, "y"], [a, "1234567890"]] {
                    let text = layout.joined(separator: ",")
                    try withSplit(text, fields) {
                        for i in 0..<fields.count {
                            let raw = fields[i]
                            XCTAssertEqual(fields.int32(i), CSVField.parseInt32(raw), "int32 \(i) of \(text)")
                            XCTAssertEqual(fields.int64(i), CSVField.parseInt64(raw), "int64 \(i) of \(text)")
                            XCTAssertEqual(
                                fields.double(i)?.bitPattern, CSVField.parseDouble(raw)?.bitPattern,
                                "double \(i) of \(text)")
                        }
                    }
                }
            }
        }
        // And on quoted lines, which take the other path.
        try withSplit(#""12",x,"4.5""#, fields) {
            XCTAssertEqual(fields.int32(0), 12)
            XCTAssertEqual(fields.double(2), 4.5)
            XCTAssertNil(fields.int64(1))
            XCTAssertEqual(try fields.string(1), "x")
        }
    }

    /// Protects text fields: valid UTF-8 becomes a String, invalid bytes are an error, never replaced.
    func testStringFieldsValidateUTF8() throws {
        let fields = CSVFields()
        try withSplit("Amélie (2001),ok", fields) {
            XCTAssertEqual(try fields.string(0), "Amélie (2001)")
        }
        let latin1: [UInt8] = Array("Am".utf8) + [0xE9] + Array("lie,x".utf8)
        try latin1.withUnsafeBytes { raw in
            try fields.split(raw)
            XCTAssertThrowsError(try fields.string(0)) { XCTAssertEqual($0 as? CSVFieldError, .invalidUTF8) }
        }
    }
}
