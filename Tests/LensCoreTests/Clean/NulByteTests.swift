import XCTest
@testable import LensCore

/// Protects the NUL guard: PostgreSQL text cannot hold a 0x00 byte, so a line holding one is
/// quarantined in stage 1 as `nul_byte` (file, line, raw text with the NUL shown as U+FFFD),
/// whatever the file and column, instead of passing stages 1-4 and failing the COPY late.
final class NulByteTests: XCTestCase {
    /// A whole CSV-layout drop with every file, two good data lines or more in each.
    static let csvDrop: [String: String] = [
        "movies.csv": "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n2,\"Matrix, The (1999)\",Action|Sci-Fi\n",
        "ratings.csv": "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964982704\n",
        "tags.csv": "userId,movieId,tag,timestamp\n1,1,funny,1445714994\n1,2,dark,1445714995\n",
        "links.csv": "movieId,imdbId,tmdbId\n1,0114709,862\n2,0133093,603\n",
        "genome-tags.csv": "tagId,tag\n1,007\n2,action\n",
        "genome-scores.csv": "movieId,tagId,relevance\n1,1,0.5\n1,2,0.25\n2,1,0.75\n2,2,1\n",
    ]

    /// Writes `files` (text with `\u{0}` for the NUL) into a fresh folder.
    func makeDrop(_ files: [String: String]) -> String {
        let dir = TestPaths.tempDir("nul")
        for (name, text) in files {
            XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)), "could not create \(dir + "/" + name)")
        }
        return dir
    }

    /// Cleans `files` and checks that exactly `line` of `file` was quarantined as `nul_byte`,
    /// that every other line of that file stayed clean and that every file reconciles.
    func assertOnlyNulRejected(_ files: [String: String], file: String, line: Int64, raw: String, clean: Int,
                               dropDate: String = "2018-09-26", case label: String) throws {
        var config = PipelineConfig()
        config.dropDate = dropDate
        let c = try CleanDrop.run(source: try DropSource.open(path: makeDrop(files)), config: config)
        XCTAssertTrue(c.reconciled, label)
        XCTAssertEqual(c.quarantine.map { "\($0.file):\($0.line) \($0.reason.rawValue)" }, ["\(file):\(line) nul_byte"], label)
        XCTAssertEqual(c.quarantine.first?.raw, raw, label)
        XCTAssertFalse(c.quarantine.contains { $0.raw.utf8.contains(0) }, "no NUL reaches the quarantine either: \(label)")
        let r = try XCTUnwrap(c.reconciliation.first { $0.file == file }, label)
        XCTAssertEqual([r.linesRead, r.clean, r.rejected, r.duplicates, r.superseded, r.orphans],
                       [clean + 1, clean, 1, 0, 0, 0], label)
    }

    /// Every column of every CSV file (text and numeric), a NUL inside it: one `nul_byte` row.
    /// The NUL line is appended after the good lines (line 4 of movies, ratings, tags, links and
    /// genome-tags; line 6 of genome-scores), with ids the other checks would accept or count as
    /// duplicates or orphans, so only the NUL check can reject it.
    func testNulInAnyColumnOfACSVFileIsQuarantinedAsNulByte() throws {
        let cases: [(file: String, line: String, column: String)] = [
            ("movies.csv", "3,Nul\u{0}Title (2000),Drama", "movieId,title,genres: title"),
            ("movies.csv", "3,\"Quoted\u{0}, A (2000)\",Drama", "title, quoted"),
            ("movies.csv", "3,Fine (2000),Dra\u{0}ma", "genres"),
            ("movies.csv", "3\u{0},Fine (2000),Drama", "movieId"),
            ("movies.csv", "1,Toy Story (1995),Comedy\u{0}", "a repeated movieId"),
            ("links.csv", "1,011\u{0}4709,862", "imdbId"),
            ("links.csv", "9,0114709,86\u{0}2", "tmdbId, orphan movie"),
            ("tags.csv", "1,1,sp\u{0}am,1445714996", "tag"),
            ("tags.csv", "1,1,\u{0},1445714996", "a tag of only a NUL"),
            ("tags.csv", "1,9,spam,1445714996\u{0}", "timestamp, orphan movie"),
            ("genome-tags.csv", "3,sp\u{0}am", "tag"),
            ("ratings.csv", "2,1,4.0,9649\u{0}82703", "timestamp"),
            ("ratings.csv", "2,1,4\u{0}.0,964982703", "rating"),
            ("ratings.csv", "\u{0}2,1,4.0,964982703", "userId"),
            ("ratings.csv", "2,9\u{0},4.0,964982703", "movieId, orphan"),
            ("genome-scores.csv", "1,1,0.\u{0}5", "relevance, repeated key"),
        ]
        for (file, line, column) in cases {
            var files = Self.csvDrop
            files[file]! += line + "\n"
            let good = files[file]!.split(separator: "\n").count - 2
            try assertOnlyNulRejected(files, file: file, line: Int64(good + 2),
                                      raw: line.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"), clean: good,
                                      case: "\(file) \(column)")
        }
    }

    /// The older layouts: every column of ml-100k `u.item`, `u.user`, `u.data`, ml-1m `movies.dat`,
    /// `users.dat`, `ratings.dat` and ml-10m `tags.dat` (Latin-1 maps 0x00 to U+0000, so the
    /// guard must run on the bytes before the text is decoded).
    func testNulInAnyColumnOfAnOlderLayoutFileIsQuarantinedAsNulByte() throws {
        let flags = Array(repeating: "0", count: 18).joined(separator: "|")
        let ml100k: [String: String] = [
            "u.item": "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|0|\(flags)\n"
                + "2|GoldenEye (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?GoldenEye%20(1995)|0|\(flags)\n",
            "u.data": "196\t1\t3\t881250949\n186\t2\t3\t891717742\n",
            "u.user": "1|24|M|technician|85711\n2|53|F|other|94043\n",
        ]
        let ml1m: [String: String] = [
            "movies.dat": "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure\n",
            "ratings.dat": "1::1::5::978300760\n1::2::3::978302109\n",
            "users.dat": "1::F::1::10::48067\n2::M::56::16::70072\n",
        ]
        let ml10m: [String: String] = [
            "movies.dat": "1::Toy Story (1995)::Adventure|Animation\n2::Jumanji (1995)::Adventure\n",
            "ratings.dat": "15::1::4.5::1215184630\n15::2::4::1215184631\n",
            "tags.dat": "15::1::excellent!::1215184630\n15::2::dull::1215184631\n",
        ]
        let cases: [(drop: [String: String], file: String, line: String, column: String)] = [
            (ml100k, "u.item", "3|Nul\u{0}Title (1995)|01-Jan-1995||http://x|0|\(flags)", "title"),
            (ml100k, "u.item", "3|Fine (1995)|01-Jan\u{0}-1995||http://x|0|\(flags)", "release date"),
            (ml100k, "u.item", "3|Fine (1995)|01-Jan-1995|\u{0}|http://x|0|\(flags)", "video release date"),
            (ml100k, "u.item", "3|Fine (1995)|01-Jan-1995||http://\u{0}x|0|\(flags)", "IMDb URL"),
            (ml100k, "u.item", "3|Fine (1995)|01-Jan-1995||http://x|\u{0}|\(flags)", "genre flag"),
            (ml100k, "u.user", "3|2\u{0}3|M|writer|32067", "age"),
            (ml100k, "u.user", "3|23|M\u{0}|writer|32067", "gender"),
            (ml100k, "u.user", "3|23|M|wri\u{0}ter|32067", "occupation"),
            (ml100k, "u.user", "3|23|M|writer|32\u{0}067", "zip code"),
            (ml100k, "u.data", "196\t2\t3\u{0}\t881250950", "rating"),
            (ml1m, "movies.dat", "3::Nul\u{0}Title (1995)::Comedy", "title"),
            (ml1m, "movies.dat", "3::Fine (1995)::Com\u{0}edy", "genres"),
            (ml1m, "users.dat", "3::M\u{0}::25::15::55117", "gender"),
            (ml1m, "users.dat", "3::M::25::15::55\u{0}117", "zip code"),
            (ml1m, "ratings.dat", "2::1::4::97830\u{0}2110", "timestamp"),
            (ml10m, "tags.dat", "15::1::sp\u{0}am::1215184632", "tag"),
            (ml10m, "ratings.dat", "16::1::4.\u{0}5::1215184632", "rating"),
        ]
        for (drop, file, line, column) in cases {
            var files = drop
            files[file]! += line + "\n"
            try assertOnlyNulRejected(files, file: file, line: 3, raw: line.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"),
                                      clean: 2, dropDate: "2009-01-05", case: "\(file) \(column)")
        }
    }

    /// A NUL in a header is still a wrong header (fatal), and the message shows it as U+FFFD so
    /// that the error itself can be stored and printed.
    func testNulInAHeaderIsAWrongHeaderShownWithoutTheNul() throws {
        var files = Self.csvDrop
        files["tags.csv"] = "userId,movieId,tag\u{0},timestamp\n1,1,funny,1445714994\n"
        let dir = makeDrop(files)
        XCTAssertThrowsError(try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())) {
            XCTAssertEqual("\($0)", "\(dir)/tags.csv:1: error: unexpected header \"userId,movieId,tag\u{FFFD},timestamp\"; expected \"userId,movieId,tag,timestamp\" (a renamed or reordered column cannot be read safely)")
        }
    }
}
