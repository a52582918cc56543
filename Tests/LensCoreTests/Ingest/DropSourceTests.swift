import Foundation
import XCTest

@testable import LensCore

final class DropSourceTests: XCTestCase {
    // MARK: Real GroupLens data (skipped without ../shared)

    /// Protects the promise that a drop reads the same unpacked or zipped: every CSV of
    /// ml-latest-small gives byte-identical, identically numbered lines from the folder and from
    /// GroupLens' zip (one top folder), with the published line counts.
    func testFolderAndZipOfMlLatestSmallGiveIdenticalLines() throws {
        let shared = try IngestFixtures.requireMovieLens()
        let folder = try DropSource.open(path: shared + "/ml-latest-small")
        let zip = try DropSource.open(path: shared + "/ml-latest-small.zip")
        XCTAssertEqual(folder.kind, .directory)
        XCTAssertEqual(zip.kind, .zip)
        XCTAssertEqual(folder.folder, "")
        XCTAssertEqual(zip.folder, "ml-latest-small")
        let expected = ["README.txt", "links.csv", "movies.csv", "ratings.csv", "tags.csv"]
        XCTAssertEqual(folder.fileNames, expected)
        XCTAssertEqual(zip.fileNames, expected)
        let counts = ["ratings.csv": 100_837, "movies.csv": 9_743, "tags.csv": 3_684, "links.csv": 9_743]
        for (name, count) in counts {
            let fromFolder = try IngestFixtures.lines(of: folder.open(name))
            let fromZip = try IngestFixtures.lines(of: zip.open(name), bufferSize: 4096)
            XCTAssertEqual(fromFolder.count, count, name)
            XCTAssertEqual(fromZip.count, count, name)
            XCTAssertTrue(fromFolder.elementsEqual(fromZip) { $0.0 == $1.0 && $0.1 == $1.1 }, name)
            XCTAssertEqual(folder.size(of: name), zip.size(of: name), name)
        }
        XCTAssertEqual(
            zip.displayPath(for: "ratings.csv"), shared + "/ml-latest-small.zip:ml-latest-small/ratings.csv")
        XCTAssertEqual(folder.displayPath(for: "ratings.csv"), shared + "/ml-latest-small/ratings.csv")
        XCTAssertNotNil(zip.modificationDate)
        XCTAssertNotNil(folder.modificationDate)
    }

    /// Protects the rating file's shape end to end through the real zip: every data line splits
    /// into 4 fields that parse (ids, rating, timestamp), 100,836 ratings in all.
    func testEveryRatingOfMlLatestSmallParsesFromTheZip() throws {
        let shared = try IngestFixtures.requireMovieLens()
        let drop = try DropSource.open(path: shared + "/ml-latest-small.zip")
        let reader = LineReader(source: try drop.open("ratings.csv"))
        var values = NumericLine.Values()
        var ratings = 0
        var sum = 0.0
        try reader.forEachLine { line, number in
            if number == 1 {
                XCTAssertEqual(String(decoding: line, as: UTF8.self), "userId,movieId,rating,timestamp")
                return
            }
            if let reason = NumericLine.parseRating(line, separator: UInt8(ascii: ","), into: &values) {
                return XCTFail("line \(number) does not parse: \(reason)")
            }
            XCTAssertTrue(values.ints.0 > 0 && values.ints.1 > 0 && values.ints.3 > 0)
            sum += values.nums.2
            ratings += 1
        }
        XCTAssertEqual(ratings, 100_836)
        XCTAssertFalse(reader.sawBOM)
        XCTAssertEqual(sum / Double(ratings), 3.5016, accuracy: 0.0001)
    }

    /// Protects the older layout: ml-100k's tab-separated u.data and Latin-1 u.item.
    func testMl100kFolder() throws {
        let shared = try IngestFixtures.requireMovieLens()
        let drop = try DropSource.open(path: shared + "/ml-100k")
        XCTAssertTrue(drop.contains("u.data"))
        XCTAssertTrue(drop.contains("u.item"))
        XCTAssertTrue(drop.contains("README"))
        XCTAssertFalse(drop.contains("ratings.csv"))
        let data = try IngestFixtures.lines(of: drop.open("u.data"))
        XCTAssertEqual(data.count, 100_000)
        XCTAssertEqual(data[0].1.split(separator: 0x09, omittingEmptySubsequences: false).count, 4)
        // u.item is Latin-1: some titles are not valid UTF-8 and must be transcoded, not replaced.
        var latin1Titles = 0
        for (_, line) in try IngestFixtures.lines(of: drop.open("u.item")) {
            let fields = line.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
            XCTAssertEqual(fields.count, 24)
            let title = Array(fields[1])
            if !title.withUnsafeBytes({ UTF8Validation.isValid($0) }) {
                latin1Titles += 1
                XCTAssertFalse(Latin1.string(title).contains("\u{FFFD}"))
            }
        }
        XCTAssertGreaterThan(latin1Titles, 0)
        let readme = try drop.readSmallFile("README", limit: 100)
        XCTAssertEqual(readme.count, 100)
    }

    // MARK: Layouts made at test time

    /// Protects the layouts GroupLens uses: files at the top or under one top folder, in a
    /// folder or a zip; dot files and macOS metadata are ignored.
    func testLayoutsWithAndWithoutATopFolder() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        let ratings = Array("userId,movieId,rating,timestamp\n1,1,4.0,964982703\n".utf8)
        // A folder holding one sub-folder with the files.
        try IngestFixtures.write(ratings, to: root + "/nested/ml-x/ratings.csv")
        try IngestFixtures.write("readme", to: root + "/nested/ml-x/README.txt")
        try IngestFixtures.write("x", to: root + "/nested/.DS_Store")
        let nested = try DropSource.open(path: root + "/nested")
        XCTAssertEqual(nested.folder, "ml-x")
        XCTAssertEqual(nested.fileNames, ["README.txt", "ratings.csv"])
        XCTAssertEqual(nested.displayPath(for: "ratings.csv"), root + "/nested/ml-x/ratings.csv")
        XCTAssertEqual(try IngestFixtures.readAll(nested.open("ratings.csv")), ratings)
        XCTAssertEqual(try nested.readSmallFile("README.txt", limit: 1000), Array("readme".utf8))
        // Zips: at the top, and under a top folder next to macOS metadata.
        let flat = root + "/flat.zip"
        try IngestFixtures.makeZip(at: flat, entries: [("ratings.csv", ratings), ("movies.csv", [])], method: "stored")
        let flatDrop = try DropSource.open(path: flat)
        XCTAssertEqual(flatDrop.folder, "")
        XCTAssertEqual(flatDrop.fileNames, ["movies.csv", "ratings.csv"])
        XCTAssertEqual(flatDrop.displayPath(for: "ratings.csv"), flat + ":ratings.csv")
        XCTAssertEqual(try IngestFixtures.readAll(flatDrop.open("ratings.csv")), ratings)
        let mac = root + "/mac.zip"
        try IngestFixtures.makeZip(
            at: mac,
            entries: [
                ("ml-y/", []), ("ml-y/ratings.csv", ratings), ("__MACOSX/ml-y/._ratings.csv", [0]),
                ("ml-y/._ratings.csv", [0]), ("ml-y/deeper/links.csv", []),
            ])
        let macDrop = try DropSource.open(path: mac)
        XCTAssertEqual(macDrop.folder, "ml-y")
        XCTAssertEqual(macDrop.fileNames, ["ratings.csv"])
        XCTAssertEqual(
            macDrop.modificationDate,
            DateComponents(
                calendar: Calendar(identifier: .gregorian), timeZone: .current,
                year: 2019, month: 11, day: 21, hour: 12
            ).date)
        XCTAssertEqual(try IngestFixtures.readAll(macDrop.open("ratings.csv")), ratings)
    }

    /// Protects the zip detection by content, not by name: a zip without `.zip` still opens.
    func testZipIsRecognisedByItsSignature() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        try IngestFixtures.makeZip(at: root + "/drop.bin", entries: [("u.data", Array("1\t2\t3\t4\n".utf8))])
        XCTAssertEqual(try DropSource.open(path: root + "/drop.bin").fileNames, ["u.data"])
    }

    // MARK: Errors (texts pinned)

    /// Protects the message for a path that does not exist.
    func testMissingPath() {
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: "/nonexistent/ml-25m.zip") },
            "/nonexistent/ml-25m.zip: error: no such file or folder. "
                + "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it (e.g. ml-latest-small.zip)."
        )
    }

    /// Protects the message for a folder (or zip) without MovieLens files.
    func testFolderWithoutMovieLensFiles() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        try IngestFixtures.write("notes", to: root + "/empty/notes.txt")
        try IngestFixtures.write("x", to: root + "/empty/a/b/ratings.csv")
        let expected =
            ": error: no MovieLens files found (looked for ratings.csv, movies.csv, tags.csv, links.csv, "
            + "genome-scores.csv, genome-tags.csv, u.data, u.item, u.user, u.genre, ratings.dat, movies.dat, users.dat, "
            + "tags.dat at the top and in one sub-folder). "
            + "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it."
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: root + "/empty") }, root + "/empty" + expected)
        try IngestFixtures.makeZip(at: root + "/empty.zip", entries: [("notes.txt", [])])
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: root + "/empty.zip") },
            root + "/empty.zip" + expected)
    }

    /// Protects the message when two sub-folders both look like drops.
    func testSeveralCandidateFoldersAreAmbiguous() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        try IngestFixtures.write("x", to: root + "/two/ml-a/ratings.csv")
        try IngestFixtures.write("x", to: root + "/two/ml-b/u.data")
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: root + "/two") },
            "\(root)/two: error: MovieLens files sit in several folders (ml-a, ml-b). Point lens at one of them.")
    }

    /// Protects the message for a regular file that is not a zip.
    func testFileThatIsNotAZip() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        try IngestFixtures.write("userId,movieId\n", to: root + "/ratings.csv")
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: root + "/ratings.csv") },
            "\(root)/ratings.csv: error: is neither a folder nor a zip archive. "
                + "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it.")
    }

    /// Protects the message for a file the drop does not have.
    func testOpeningAFileTheDropLacks() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        try IngestFixtures.write("x", to: root + "/d/ratings.csv")
        try IngestFixtures.write("x", to: root + "/d/movies.csv")
        let drop = try DropSource.open(path: root + "/d")
        XCTAssertFalse(drop.contains("genome-scores.csv"))
        XCTAssertNil(drop.size(of: "genome-scores.csv"))
        XCTAssertEqual(
            IngestFixtures.message { _ = try drop.open("genome-scores.csv") },
            "\(root)/d/genome-scores.csv: error: the drop has no file 'genome-scores.csv' (it has: movies.csv, ratings.csv). "
                + "Check the drop's layout; GroupLens drops list their files in README.txt.")
    }

    /// Protects the message when a zip repeats an entry (which copy would be read is undefined).
    func testDuplicateEntriesAreRefused() throws {
        let root = try IngestFixtures.temporaryDirectory(self)
        let path = root + "/dup.zip"
        try IngestFixtures.python(
            """
            import sys, warnings, zipfile
            warnings.simplefilter("ignore")
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                z.writestr("ml/ratings.csv", "a\\n")
                z.writestr("ml/ratings.csv", "b\\n")
            """, [path])
        XCTAssertEqual(
            IngestFixtures.message { _ = try DropSource.open(path: path) },
            "\(path): error: entry 'ml/ratings.csv' appears more than once in the archive. "
                + "Re-create the zip so that each file appears once.")
    }
}
