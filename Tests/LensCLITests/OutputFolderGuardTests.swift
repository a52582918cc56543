import Foundation
import XCTest

/// Protects "`--out` never destroys what is not lens's": before any work, lens refuses (exit 64,
/// naming the path and why) a user's folder, a file, a symbolic link, the drop itself, a folder
/// inside the drop, a folder holding the drop, and `.partial` / `.old` siblings that are not its
/// own; everything there is left byte for byte. It replaces its own export, and its own leftovers.
final class OutputFolderGuardTests: XCTestCase {
    let sample = CLI.repo + "/data/sample"

    private func runNoLoad(source: String? = nil, out: String) throws -> (Int32, String) {
        let (status, _, err) = try CLI.lens(["run", "--source", source ?? sample, "--out", out, "--no-load"])
        return (status, err)
    }

    /// A user's folder with files in it is refused and kept.
    func testAFolderOfTheUsersIsRefusedAndKept() throws {
        let out = CLI.tempDir("users-folder")
        try "my notes\n".write(toFile: out + "/notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: out + "/photos", withIntermediateDirectories: true)
        let (status, err) = try runNoLoad(out: out)
        XCTAssertEqual(status, 64, err)
        XCTAssertTrue(err.contains("lens: \(out): error: refusing to write the export here: --out is a folder that is not a lens export"), err)
        XCTAssertTrue(err.contains("2 entries: notes.txt, photos"), err)
        XCTAssertEqual(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8), "my notes\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), ["notes.txt", "photos"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"), "no work was started")
    }

    /// A regular file named by --out is refused and kept; so is a symbolic link to a folder.
    func testAFileOrASymlinkIsRefused() throws {
        let dir = CLI.tempDir("file-out")
        let file = dir + "/report.csv"
        try "a,b\n1,2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (s1, e1) = try runNoLoad(out: file)
        XCTAssertEqual(s1, 64, e1)
        XCTAssertTrue(e1.contains("--out is a file, not a folder; lens will not replace it"), e1)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "a,b\n1,2\n")

        let target = CLI.tempDir("link-target")
        let link = dir + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let (s2, e2) = try runNoLoad(out: link)
        XCTAssertEqual(s2, 64, e2)
        XCTAssertTrue(e2.contains("--out is a symbolic link"), e2)
    }

    /// The drop itself, a folder inside it, and a folder that holds it are refused; its CSVs stay.
    func testTheDropAndFoldersAroundItAreRefused() throws {
        let parent = CLI.tempDir("drop-parent")
        let drop = parent + "/drop"
        try FileManager.default.copyItem(atPath: sample, toPath: drop)
        let before = try FileManager.default.contentsOfDirectory(atPath: drop).sorted()
        for (out, why) in [(drop, "it is the drop being read (--source)"),
                           (drop + "/out", "it is inside the drop being read"),
                           (parent, "the drop being read (\(drop)) is inside it")] {
            let (status, err) = try runNoLoad(source: drop, out: out)
            XCTAssertEqual(status, 64, "\(out): \(err)")
            XCTAssertTrue(err.contains(why), err)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: drop).sorted(), before)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: drop + "/ratings.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: sample + "/ratings.csv")))
    }

    /// `.partial` and `.old` siblings that are not lens's are refused and kept; lens's own
    /// leftover `.partial` (with its marker) is replaced and gone after a good run.
    func testSiblingsAreDeletedOnlyWhenTheyAreLenss() throws {
        let dir = CLI.tempDir("siblings")
        let out = dir + "/export"
        try FileManager.default.createDirectory(atPath: out + ".partial", withIntermediateDirectories: true)
        try "keep me\n".write(toFile: out + ".partial/data.txt", atomically: true, encoding: .utf8)
        let (s1, e1) = try runNoLoad(out: out)
        XCTAssertEqual(s1, 64, e1)
        XCTAssertTrue(e1.contains("\(out).partial: error: refusing to write the export here"), e1)
        XCTAssertEqual(try String(contentsOfFile: out + ".partial/data.txt", encoding: .utf8), "keep me\n")
        try FileManager.default.removeItem(atPath: out + ".partial")

        try FileManager.default.createDirectory(atPath: out + ".old", withIntermediateDirectories: true)
        try "old stuff\n".write(toFile: out + ".old/x.txt", atomically: true, encoding: .utf8)
        let (s2, e2) = try runNoLoad(out: out)
        XCTAssertEqual(s2, 64, e2)
        XCTAssertTrue(e2.contains("the leftover \(out).old is a folder that is not a lens export"), e2)
        XCTAssertEqual(try String(contentsOfFile: out + ".old/x.txt", encoding: .utf8), "old stuff\n")
        try FileManager.default.removeItem(atPath: out + ".old")

        // lens's own leftover, as a killed run leaves it: the marker and a half-written file.
        try FileManager.default.createDirectory(atPath: out + ".partial/ratings", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: out + ".partial/.lens-partial", contents: Data()), "could not create \(out + ".partial/.lens-partial")")
        XCTAssertTrue(FileManager.default.createFile(atPath: out + ".partial/ratings/half.parquet", contents: Data([1, 2, 3])), "could not create \(out + ".partial/ratings/half.parquet")")
        let (s3, e3) = try runNoLoad(out: out)
        XCTAssertEqual(s3, 0, e3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".partial"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/.lens-partial"), "the marker does not reach the export")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/manifest.json"))
    }

    /// lens's own export is replaced by the next run of a changed drop (and only then).
    func testItsOwnExportIsReplaced() throws {
        let dir = CLI.tempDir("own-export")
        let drop = dir + "/drop"
        try FileManager.default.copyItem(atPath: sample, toPath: drop)
        let out = dir + "/export"
        let (s1, e1) = try runNoLoad(source: drop, out: out)
        XCTAssertEqual(s1, 0, e1)
        // Drop the last rating line: a changed drop, a new export in the same folder.
        let ratings = try String(contentsOfFile: drop + "/ratings.csv", encoding: .utf8)
        var lines = ratings.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: drop + "/ratings.csv", atomically: true, encoding: .utf8)
        let (s2, e2) = try runNoLoad(source: drop, out: out)
        XCTAssertEqual(s2, 0, e2)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as! [String: Any]
        let reconciliation = manifest["reconciliation"] as! [[String: Any]]
        XCTAssertEqual(reconciliation.first { $0["file"] as? String == "ratings.csv" }?["lines_read"] as? Int, 15015)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".old"))
    }
}
