import Foundation
import XCTest
@testable import LensCore

/// Protects the SQL compiled into lens (the EmbedSQL build plugin): the built-in set is exactly
/// the repository's sql/ folder, lists each folder as the folder does, and refuses a file it lacks.
final class EmbeddedSQLTests: XCTestCase {
    /// Every .sql file of sql/ is built in with the same text, and nothing else is; every folder
    /// lists the same files in the same order from both sources (checks, queries, views, ...).
    func testBuiltInTextsAreTheSqlFolder() throws {
        let root = TestPaths.repo + "/sql"
        let folder = SQLFiles(root: root)
        var onDisk: [String] = []
        var folders: Set<String> = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".sql") {
                onDisk.append(path)
                folders.insert((path as NSString).deletingLastPathComponent)
            }
        }
        XCTAssertGreaterThan(onDisk.count, 90, "the sql folder has about a hundred files")
        XCTAssertEqual(SQLFiles.embeddedTexts.keys.sorted(), onDisk.sorted())
        for path in onDisk {
            XCTAssertEqual(try SQLFiles.builtIn.rawText(path), try String(contentsOfFile: root + "/" + path, encoding: .utf8), path)
        }
        for dir in folders {
            XCTAssertEqual(SQLFiles.builtIn.files(in: dir), folder.files(in: dir), dir)
        }
        XCTAssertEqual(SQLFiles.builtIn.files(in: "views/materialized"), ["views/materialized/movie_pair_lift.sql"])
        XCTAssertFalse(SQLFiles.builtIn.files(in: "views").contains("views/materialized/movie_pair_lift.sql"),
                       "a folder's files exclude its subfolders'")
    }

    /// With LENS_SQL_DIR unset lens uses the built-in texts; a file lens was built without is a
    /// configuration error naming it, and placeholders are filled in as from a folder.
    func testLocateWithoutOverrideUsesBuiltIn() throws {
        let saved = ProcessInfo.processInfo.environment["LENS_SQL_DIR"]
        unsetenv("LENS_SQL_DIR")
        defer { if let saved { setenv("LENS_SQL_DIR", saved, 1) } }
        let sql = try SQLFiles.locate()
        XCTAssertEqual(sql.root, SQLFiles.builtInRoot)
        XCTAssertThrowsError(try sql.text("checks/no_such_check.sql")) { error in
            guard case LensError.config(let file, nil, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "sql/checks/no_such_check.sql (built into lens)")
        }
        XCTAssertEqual(try sql.text("warehouse/analyze.sql", ["schema": "lens_v7"]),
                       try SQLFiles(root: TestPaths.repo + "/sql").text("warehouse/analyze.sql", ["schema": "lens_v7"]))
    }
}
