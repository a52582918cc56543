import Foundation
import XCTest

@testable import LensCore

final class ZipArchiveTests: XCTestCase {
    /// A CSV-like text of about `lines` lines, compressible like a ratings file.
    private func sampleText(lines: Int) -> [UInt8] {
        var text = Array("userId,movieId,rating,timestamp\n".utf8)
        for i in 0..<lines {
            text += Array("\(i / 37 + 1),\(i * 7919 % 10_000),\(Double(i % 10) / 2 + 0.5),\(964_982_703 + i)\n".utf8)
        }
        return text
    }

    /// Random bytes (incompressible), deterministic per seed.
    private func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// Reads an entry of `path` whole through a ZipArchive.
    private func read(_ path: String, _ name: String, limits: ZipArchive.Limits = .init(), chunk: Int = 4096) throws
        -> [UInt8]
    {
        let archive = try ZipArchive(path: path, limits: limits)
        let entry = try XCTUnwrap(archive.entry(named: name), "no entry \(name)")
        return try IngestFixtures.readAll(archive.open(entry), chunk: chunk)
    }

    // MARK: Patching headers in place

    /// Offsets of the first entry's local header and central directory header.
    private func headerOffsets(_ bytes: [UInt8]) -> (local: Int, central: Int, eocd: Int) {
        var eocd = bytes.count - 22
        while !(bytes[eocd] == 0x50 && bytes[eocd + 1] == 0x4B && bytes[eocd + 2] == 5 && bytes[eocd + 3] == 6) {
            eocd -= 1
        }
        let central = Int(u32(bytes, eocd + 16))
        return (Int(u32(bytes, central + 42)), central, eocd)
    }

    /// Little-endian UInt32 at `offset`.
    private func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    /// Stores a little-endian value of `width` bytes at `offset`.
    private func put(_ value: UInt32, width: Int, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    /// Rewrites the first entry's field in both its local and central headers.
    private enum Field {
        case flags, method, crc, compressedSize, uncompressedSize
        /// (offset in the local header, offset in the central header, width)
        var layout: (Int, Int, Int) {
            switch self {
            case .flags: return (6, 8, 2)
            case .method: return (8, 10, 2)
            case .crc: return (14, 16, 4)
            case .compressedSize: return (18, 20, 4)
            case .uncompressedSize: return (22, 24, 4)
            }
        }
    }

    /// Patches `field` of the first entry of the zip at `path`; `transform` maps the old value.
    private func patch(_ path: String, _ field: Field, centralOnly: Bool = false, _ transform: (UInt32) -> UInt32)
        throws
    {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (local, central, _) = headerOffsets(bytes)
        let (localOffset, centralOffset, width) = field.layout
        let old = u32(bytes, central + centralOffset) & (width == 2 ? 0xFFFF : 0xFFFF_FFFF)
        if !centralOnly { put(transform(old), width: width, into: &bytes, at: local + localOffset) }
        put(transform(old), width: width, into: &bytes, at: central + centralOffset)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    // MARK: Reading

    /// Protects the two methods GroupLens zips use: stored and deflated entries read back
    /// byte for byte, whatever the caller's buffer size, and the listing matches Python's.
    func testStoredAndDeflatedEntriesReadBack() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let text = sampleText(lines: 20_000)
        let noise = randomBytes(300_000, seed: 7)
        for method in ["stored", "deflated"] {
            let path = folder + "/\(method).zip"
            try IngestFixtures.makeZip(
                at: path, entries: [("ratings.csv", text), ("noise.bin", noise), ("empty.csv", [])], method: method)
            for chunk in [7, 4096, 1 << 20] {
                XCTAssertEqual(try read(path, "ratings.csv", chunk: chunk), text, "\(method), chunk \(chunk)")
            }
            XCTAssertEqual(try read(path, "noise.bin"), noise, method)
            XCTAssertEqual(try read(path, "empty.csv"), [], method)
            let archive = try ZipArchive(path: path)
            XCTAssertEqual(archive.entries.map(\.name), ["ratings.csv", "noise.bin", "empty.csv"])
            XCTAssertEqual(archive.entries[0].uncompressedSize, Int64(text.count))
            XCTAssertEqual(archive.entries[0].method, method == "stored" ? .stored : .deflated)
            XCTAssertEqual(archive.entries[0].crc32, text.withUnsafeBytes { UInt32(IngestFixtures.crc32($0)) })
        }
    }

    /// Protects one-byte reads of a deflated entry (the output window is capped per call).
    func testDeflatedEntryReadOneByteAtATime() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/d.zip"
        let text = sampleText(lines: 500)
        try IngestFixtures.makeZip(at: path, entries: [("r.csv", text)])
        XCTAssertEqual(try read(path, "r.csv", chunk: 1), text)
    }

    /// Protects ZIP64 as Python writes it (ZIP64 extra fields in the local headers).
    func testZip64LocalExtraFieldsAreRead() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/z64.zip"
        let text = sampleText(lines: 3000)
        try IngestFixtures.makeZip(at: path, entries: [("a/ratings.csv", text), ("a/movies.csv", text)], zip64: true)
        XCTAssertEqual(try read(path, "a/ratings.csv"), text)
        XCTAssertEqual(try read(path, "a/movies.csv"), text)
    }

    /// Protects ZIP64 end records: the EOCD's fields set to 0xFFFF/0xFFFFFFFF and the real values
    /// in a ZIP64 end of central directory record found through its locator.
    func testZip64EndOfCentralDirectoryRecordIsFollowed() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/z64eocd.zip"
        let text = sampleText(lines: 1000)
        try IngestFixtures.makeZip(at: path, entries: [("ml/ratings.csv", text), ("ml/README.txt", Array("hi".utf8))])
        try IngestFixtures.python(
            """
            import struct, sys, zipfile
            p = sys.argv[1]
            data = open(p, "rb").read()
            i = data.rfind(b"PK\\x05\\x06")
            sig, disk, cddisk, n1, n2, cdsize, cdoff, clen = struct.unpack("<IHHHHIIH", data[i:i + 22])
            record = struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, n1, n2, cdsize, cdoff)
            locator = struct.pack("<IIQI", 0x07064b50, 0, i, 1)
            eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
            open(p, "wb").write(data[:i] + record + locator + eocd)
            assert zipfile.ZipFile(p).testzip() is None
            """, [path])
        let archive = try ZipArchive(path: path)
        XCTAssertEqual(archive.entries.map(\.name), ["ml/ratings.csv", "ml/README.txt"])
        XCTAssertEqual(try read(path, "ml/ratings.csv"), text)
    }

    /// Protects ZIP64 as Info-ZIP writes it with `zip -fz`: 0xFFFFFFFF sizes in the central
    /// directory with the real ones in a ZIP64 extra field, plus ZIP64 end records.
    func testInfoZipForcedZip64IsRead() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") else {
            throw XCTSkip("Info-ZIP zip is not installed")
        }
        let folder = try IngestFixtures.temporaryDirectory(self)
        let text = sampleText(lines: 2000)
        try IngestFixtures.write(text, to: folder + "/ml-x/ratings.csv")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", "-r", "-fz", "ml-x.zip", "ml-x"]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let drop = try DropSource.open(path: folder + "/ml-x.zip")
        XCTAssertEqual(drop.fileNames, ["ratings.csv"])
        XCTAssertEqual(drop.size(of: "ratings.csv"), Int64(text.count))
        XCTAssertEqual(try IngestFixtures.readAll(drop.open("ratings.csv")), text)
    }

    /// Protects against arithmetic overflow: a ZIP64 size near Int64.max is refused by the ratio
    /// check, and when the check is disabled, reading stops with a clear error instead of trapping.
    func testHugeDeclaredZip64SizeIsHandled() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zip") else {
            throw XCTSkip("Info-ZIP zip is not installed")
        }
        let folder = try IngestFixtures.temporaryDirectory(self)
        let text = sampleText(lines: 200)
        try IngestFixtures.write(text, to: folder + "/ratings.csv")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.arguments = ["-q", "-fz", "huge.zip", "ratings.csv"]
        try process.run()
        process.waitUntilExit()
        let path = folder + "/huge.zip"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // The central header (its offset is in the ZIP64 end record), then its ZIP64 extra
        // field (tag 1, 8 bytes: the uncompressed size).
        var at = 0
        while !(bytes[at] == 0x50 && bytes[at + 1] == 0x4B && bytes[at + 2] == 1 && bytes[at + 3] == 2) { at += 1 }
        at += 46
        while !(bytes[at] == 1 && bytes[at + 1] == 0 && bytes[at + 2] == 8 && bytes[at + 3] == 0) { at += 1 }
        let huge: UInt64 = 0x7FFF_FFFF_FFFF_FFF0
        for i in 0..<8 { bytes[at + 4 + i] = UInt8(truncatingIfNeeded: huge >> (8 * UInt64(i))) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try read(path, "ratings.csv")) { XCTAssertEqual(($0 as? IngestError)?.code, .zipBomb) }
        XCTAssertEqual(
            IngestFixtures.message { _ = try read(path, "ratings.csv", limits: .init(maxCompressionRatio: .max)) },
            "\(path):ratings.csv: error: the entry inflates to \(text.count) bytes but its header declares \(huge). "
                + "The archive is damaged; download it again.")
    }

    /// Protects streamed archives (flag bit 3: sizes and CRC in a data descriptor after the data,
    /// zeros in the local header): everything must come from the central directory.
    func testDataDescriptorEntriesAreRead() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/streamed.zip"
        let text = sampleText(lines: 4000)
        try IngestFixtures.write(text, to: folder + "/part")
        try IngestFixtures.python(
            """
            import io, sys, zipfile
            class Unseekable(io.RawIOBase):
                def __init__(self, f): self.f = f
                def writable(self): return True
                def write(self, b): return self.f.write(b)
            with open(sys.argv[1], "wb") as f:
                with zipfile.ZipFile(Unseekable(f), "w", zipfile.ZIP_DEFLATED) as z:
                    with z.open("ml/ratings.csv", "w") as e:
                        e.write(open(sys.argv[2], "rb").read())
            assert zipfile.ZipFile(sys.argv[1]).infolist()[0].flag_bits & 8
            """, [path, folder + "/part"])
        XCTAssertEqual(try read(path, "ml/ratings.csv"), text)
    }

    // MARK: Hostile and damaged archives

    /// Protects against path traversal: an archive with an entry that could escape its folder is
    /// refused as a whole, and the message names the entry.
    func testUnsafeEntryNamesAreRefused() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let cases: [(String, String)] = [
            ("../evil.csv", "a '..' component"), ("ml/../../evil.csv", "a '..' component"),
            ("/etc/evil.csv", "an absolute path"), ("ml\\..\\evil.csv", "a backslash"),
            ("C:evil.csv", "a drive letter"),
        ]
        for (index, (name, reason)) in cases.enumerated() {
            let path = folder + "/evil\(index).zip"
            try IngestFixtures.makeZip(
                at: path, entries: [("ratings.csv", Array("a\n".utf8)), (name, Array("x\n".utf8))])
            XCTAssertEqual(
                IngestFixtures.message { _ = try ZipArchive(path: path) },
                "\(path): error: entry '\(name)' has an unsafe name (\(reason)); refusing to read this archive. "
                    + "Entry names must be relative paths inside the archive; re-create the zip from the drop folder.")
            XCTAssertThrowsError(try DropSource.open(path: path)) {
                XCTAssertEqual(($0 as? IngestError)?.code, .unsafeZipEntry)
            }
        }
    }

    /// Protects against truncated downloads: no end record at all.
    func testTruncatedArchiveWithoutEndRecord() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/cut.zip"
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", sampleText(lines: 5000))])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(
            IngestFixtures.message { _ = try ZipArchive(path: path) },
            "\(path): error: no end of central directory record; the file is truncated or not a zip archive. "
                + "Download the archive again (compare its size or checksum with the published one).")
        try Data([0x50, 0x4B]).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(
            IngestFixtures.message { _ = try ZipArchive(path: path) },
            "\(path): error: the file is 2 bytes, too small to be a zip archive. "
                + "The archive is incomplete or not a zip; download it again.")
    }

    /// Protects against a central directory or entry that points past the end of the file.
    func testOffsetsBeyondTheFileAreReported() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/far.zip"
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", sampleText(lines: 100))])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (_, central, eocd) = headerOffsets(bytes)
        let original = bytes
        put(UInt32(bytes.count * 2), width: 4, into: &bytes, at: eocd + 16)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(
            IngestFixtures.message { _ = try ZipArchive(path: path) },
            "\(path): error: the central directory (\(eocd - central) bytes at offset \(bytes.count * 2)) "
                + "lies beyond the end of the file (\(bytes.count) bytes). The archive is incomplete; download it again."
        )
        bytes = original
        put(UInt32(bytes.count + 100), width: 4, into: &bytes, at: central + 42)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(
            IngestFixtures.message { _ = try ZipArchive(path: path) },
            "\(path): error: entry 'ratings.csv' starts at offset \(bytes.count + 100), beyond the end of the file. "
                + "The archive is incomplete; download it again.")
    }

    /// Protects against a deflate stream that stops early (the compressed size is cut short).
    func testDeflateStreamEndingEarlyIsReported() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/short.zip"
        let text = sampleText(lines: 5000)
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", text)])
        try patch(path, .compressedSize, centralOnly: true) { $0 / 2 }
        let message = IngestFixtures.message { _ = try read(path, "ratings.csv") }
        XCTAssertTrue(
            message?.hasPrefix(
                "\(path):ratings.csv: error: the compressed data ends before the deflate stream does (after ") == true,
            message ?? "no error")
        XCTAssertTrue(
            message?.hasSuffix(" of \(text.count) bytes). The archive is damaged or incomplete; download it again.")
                == true,
            message ?? "no error")
    }

    /// Protects against zip bombs that lie: data inflating to more than the declared size stops
    /// one byte past the declaration (patched in both headers, as a forger would).
    func testMoreDataThanDeclaredIsAZipBomb() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        for method in ["deflated", "stored"] {
            let path = folder + "/\(method)-bomb.zip"
            let text = sampleText(lines: 5000)
            try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", text)], method: method)
            try patch(path, .uncompressedSize) { $0 - 100 }
            let expected =
                method == "deflated"
                ? "\(path):ratings.csv: error: the entry inflates to more than the \(text.count - 100) bytes its header declares; "
                    + "stopped reading it. Do not trust this archive; download the drop again from GroupLens."
                : "\(path):ratings.csv: error: the stored entry has compressed size \(text.count) but uncompressed size "
                    + "\(text.count - 100). The archive is damaged; download it again."
            XCTAssertEqual(IngestFixtures.message { _ = try read(path, "ratings.csv") }, expected)
        }
    }

    /// Protects against the other lie: less data than declared.
    func testLessDataThanDeclaredIsReported() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/short-declared.zip"
        let text = sampleText(lines: 100)
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", text)])
        try patch(path, .uncompressedSize) { $0 + 5 }
        XCTAssertEqual(
            IngestFixtures.message { _ = try read(path, "ratings.csv") },
            "\(path):ratings.csv: error: the entry inflates to \(text.count) bytes but its header declares \(text.count + 5). "
                + "The archive is damaged; download it again.")
    }

    /// Protects against honest zip bombs: an implausible declared ratio is refused before inflating.
    func testCompressionRatioAboveTheLimitIsRefused() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        // 4 MiB of one byte deflates about 1027:1, above the default limit of 1000:1.
        let zeros = folder + "/zeros.zip"
        try IngestFixtures.makeZip(at: zeros, entries: [("ratings.csv", [UInt8](repeating: 0x30, count: 4 << 20))])
        let archive = try ZipArchive(path: zeros)
        let entry = archive.entries[0]
        XCTAssertEqual(
            IngestFixtures.message { _ = try archive.open(entry) },
            "\(zeros):ratings.csv: error: the entry declares \(4 << 20) bytes from \(entry.compressedSize) compressed "
                + "(ratio above the limit of 1000:1); refusing to inflate it. "
                + "This is not a MovieLens drop as GroupLens publishes it; check where the file came from.")
        // A repeated line deflates about 400:1: accepted by default, refused under a lower limit.
        let repeated = folder + "/repeated.zip"
        let text = Array(String(repeating: "1,2,3.5,964982703\n", count: 250_000).utf8)
        try IngestFixtures.makeZip(at: repeated, entries: [("ratings.csv", text)])
        XCTAssertEqual(try read(repeated, "ratings.csv"), text)
        XCTAssertThrowsError(try read(repeated, "ratings.csv", limits: .init(maxCompressionRatio: 100))) {
            XCTAssertEqual(($0 as? IngestError)?.code, .zipBomb)
        }
        // Small entries are not ratio-checked (a 1 KiB run of spaces is fine).
        let small = folder + "/small.zip"
        try IngestFixtures.makeZip(at: small, entries: [("README.txt", [UInt8](repeating: 0x20, count: 1024))])
        XCTAssertEqual(try read(small, "README.txt", limits: .init(maxCompressionRatio: 2)).count, 1024)
    }

    /// Protects data integrity: a CRC-32 that does not match the data is an error at the end.
    func testCRCMismatchIsDetected() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        for method in ["deflated", "stored"] {
            let path = folder + "/\(method)-crc.zip"
            let text = sampleText(lines: 3000)
            try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", text)], method: method)
            let real = text.withUnsafeBytes { UInt32(IngestFixtures.crc32($0)) }
            try patch(path, .crc) { $0 ^ 0x0000_0001 }
            func hex(_ v: UInt32) -> String { "0x" + String(format: "%08x", v) }
            XCTAssertEqual(
                IngestFixtures.message { _ = try read(path, "ratings.csv") },
                "\(path):ratings.csv: error: CRC-32 mismatch: the data has \(hex(real)), the archive records \(hex(real ^ 1)). "
                    + "The archive is damaged; download it again.")
        }
    }

    /// Protects against silently misreading: encrypted entries and other methods are refused.
    func testEncryptedEntriesAndUnsupportedMethodsAreRefused() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/locked.zip"
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", sampleText(lines: 10))])
        try patch(path, .flags) { $0 | 1 }
        XCTAssertEqual(
            IngestFixtures.message { _ = try read(path, "ratings.csv") },
            "\(path):ratings.csv: error: the entry is encrypted. Unpack the archive with its password and point lens at the folder."
        )
        try patch(path, .flags) { $0 & ~1 }
        try patch(path, .method) { _ in 12 }
        XCTAssertEqual(
            IngestFixtures.message { _ = try read(path, "ratings.csv") },
            "\(path):ratings.csv: error: the entry uses compression method 12 (bzip2). "
                + "lens reads stored and deflate entries; re-create the zip with deflate (`zip -r`) or unpack it.")
    }

    /// Protects against crashes on damaged input: random byte corruptions of a small archive
    /// (headers and data alike) must only ever give an error or data, never trap. Seeded: the seed
    /// (LENS_FUZZ_SEED, else random) is printed before the rounds (a trap shows no message) and in
    /// every failure, and LENS_FUZZ_SEED=<seed> replays the same corruptions.
    func testRandomCorruptionNeverCrashes() throws {
        let seed = ProcessInfo.processInfo.environment["LENS_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("[zip fuzz] seed \(seed) (replay: LENS_FUZZ_SEED=\(seed) swift test --filter testRandomCorruptionNeverCrashes)")
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/fuzz.zip"
        try IngestFixtures.makeZip(
            at: path, entries: [("ml/ratings.csv", sampleText(lines: 300)), ("ml/README.txt", Array("hello".utf8))])
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (local, central, _) = headerOffsets(original)
        var generator = SplitMix64(state: seed)
        var outcomes = [0, 0]
        for round in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                // Mostly aim at the structures (local header, central directory and end record).
                let offset: Int
                switch round % 3 {
                case 0: offset = Int.random(in: local..<(local + 60), using: &generator)
                case 1: offset = Int.random(in: central..<bytes.count, using: &generator)
                default: offset = Int.random(in: 0..<bytes.count, using: &generator)
                }
                bytes[offset] = round % 2 == 0 ? UInt8.random(in: 0...255, using: &generator) : 0xFF
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let archive = try ZipArchive(path: path)
                for entry in archive.entries where !entry.isDirectory {
                    _ = try IngestFixtures.readAll(archive.open(entry), chunk: 1 << 16)
                }
                outcomes[0] += 1
            } catch is IngestError {
                outcomes[1] += 1
            } catch {
                XCTFail("seed \(seed), round \(round): not an IngestError: \(error)")
            }
        }
        XCTAssertGreaterThan(outcomes[1], 0, "seed \(seed): no corruption was reported as an error")
    }

    /// Protects the deflate error path: corrupted compressed bytes give a located error.
    func testCorruptDeflateDataIsReported() throws {
        let folder = try IngestFixtures.temporaryDirectory(self)
        let path = folder + "/garbled.zip"
        try IngestFixtures.makeZip(at: path, entries: [("ratings.csv", sampleText(lines: 3000))])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let (local, _, _) = headerOffsets(bytes)
        let dataStart = local + 30 + "ratings.csv".utf8.count
        for i in 0..<64 { bytes[dataStart + 10 + i] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try read(path, "ratings.csv")) { error in
            let error = error as? IngestError
            XCTAssertTrue(
                error?.code == .corruptZip || error?.code == .checksumMismatch, "\(String(describing: error))")
            XCTAssertEqual(error?.file, "\(path):ratings.csv")
        }
    }
}
