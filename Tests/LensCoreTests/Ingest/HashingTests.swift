import Foundation
import XCTest

@testable import LensCore

final class HashingTests: XCTestCase {
    /// The hex digest of `text` with hasher `H`.
    private func hex<H: StreamingHasher>(_ type: H.Type, _ bytes: [UInt8]) -> String {
        var hasher = H()
        hasher.update(bytes)
        return Hex.encode(hasher.finalize())
    }

    /// The first word `tool` prints for `path` (`sha256sum`, `md5sum`), or nil if not installed.
    private func digestFromTool(_ tool: String, _ path: String) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/\(tool)") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init)
    }

    /// Protects SHA-256 against the FIPS 180-4 example vectors (empty, one block, two blocks,
    /// a million 'a's).
    func testSHA256KnownVectors() {
        XCTAssertEqual(hex(SHA256Hasher.self, []), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            hex(SHA256Hasher.self, Array("abc".utf8)),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            hex(SHA256Hasher.self, Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            hex(SHA256Hasher.self, [UInt8](repeating: 0x61, count: 1_000_000)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Protects MD5 against the RFC 1321 test suite.
    func testMD5KnownVectors() {
        let suite = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"), ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"), ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in suite {
            XCTAssertEqual(hex(MD5Hasher.self, Array(text.utf8)), digest, text)
        }
    }

    /// Protects the block buffering: any split of a message into updates gives the same digest,
    /// around every block boundary.
    func testStreamingInPiecesEqualsOneShot() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4099] {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var sha = SHA256Hasher()
            var md5 = MD5Hasher()
            var offset = 0
            while offset < length {
                let piece = min(Int.random(in: 0...70, using: &generator), length - offset)
                sha.update(Array(message[offset..<offset + piece]))
                md5.update(Array(message[offset..<offset + piece]))
                offset += piece
            }
            XCTAssertEqual(Hex.encode(sha.finalize()), hex(SHA256Hasher.self, message), "length \(length)")
            XCTAssertEqual(Hex.encode(md5.finalize()), hex(MD5Hasher.self, message), "length \(length)")
        }
    }

    /// Protects file fingerprints: the digests of a real file equal what sha256sum and md5sum print.
    func testFileDigestsMatchCoreutils() throws {
        let path: String
        if let shared = IngestFixtures.movieLensDirectory {
            path = shared + "/ml-latest-small/ratings.csv"
        } else {
            path = try IngestFixtures.temporaryDirectory(self) + "/sample.bin"
            try IngestFixtures.write(
                (0..<3_000_017).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }, to: path)
        }
        guard let sha = try digestFromTool("sha256sum", path), let md5 = try digestFromTool("md5sum", path) else {
            throw XCTSkip("coreutils sha256sum/md5sum are not installed")
        }
        XCTAssertEqual(Hex.encode(try sha256(ofFileAt: path)), sha)
        XCTAssertEqual(Hex.encode(try MD5Hasher.digest(ofFileAt: path)), md5)
    }

    /// Protects hashing a zip entry as it streams (the drop fingerprint of one file).
    func testDigestOfAByteSource() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let text = Array(String(repeating: "1,2,3.5,964982703\n", count: 10_000).utf8)
        try IngestFixtures.makeZip(at: folder + "/d.zip", entries: [("ratings.csv", text)])
        let drop = try DropSource.open(path: folder + "/d.zip")
        XCTAssertEqual(
            try SHA256Hasher.digest(of: drop.open("ratings.csv")),
            {
                var h = SHA256Hasher()
                h.update(text)
                return h.finalize()
            }())
    }

    /// Protects the message for hashing a file that is not there.
    func testMissingFile() {
        XCTAssertEqual(
            IngestFixtures.message { _ = try sha256(ofFileAt: "/nonexistent/ratings.csv") },
            "/nonexistent/ratings.csv: error: cannot open: No such file or directory. "
                + "Check the path; a drop is a folder or a .zip as GroupLens publishes it.")
    }
}
