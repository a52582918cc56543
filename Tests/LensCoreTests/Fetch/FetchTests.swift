import Foundation
import XCTest

@testable import LensCore

/// `lens fetch` against a real HTTP server on 127.0.0.1 (Python's http.server, started per
/// test): a drop is kept only with a matching MD5, a bad one leaves nothing behind, HTTP and
/// connection failures are clear, and a verified copy is not downloaded twice.
final class FetchTests: XCTestCase {
    /// A python3 http.server serving `root` on a free port; stopped at teardown.
    private final class Server {
        let process = Process()
        let root: String
        var port = 0
        var base: String { "http://127.0.0.1:\(port)/" }

        init(root: String) { self.root = root }

        func start() throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
            // "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ..."
            var text = ""
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
                if let r = text.range(of: #"port (\d+)"#, options: .regularExpression) {
                    port = Int(text[r].dropFirst(5))!
                    return
                }
            }
            process.terminate()
            throw XCTSkip("python3 http.server did not start: \(text)")
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    private var server: Server!
    private var served = ""
    private var downloads = ""

    override func setUpWithError() throws {
        served = TestPaths.tempDir("fetch-served")
        downloads = TestPaths.tempDir("fetch-downloads")
        server = Server(root: served)
        try server.start()
    }

    override func tearDown() {
        server?.stop()
        try? FileManager.default.removeItem(atPath: served)
        try? FileManager.default.removeItem(atPath: downloads)
    }

    /// Writes `served/name`: a zip (Python's zipfile) of a tiny CSV drop plus `padding` bytes
    /// of stored data, so that the body arrives in many pieces. Returns its MD5 (hex).
    @discardableResult
    private func makeDropZip(_ name: String, padding: Int = 3_000_000) throws -> String {
        let zip = served + "/" + name
        let script = """
            import sys, zipfile, random
            random.seed(1)
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("ml-tiny/movies.csv", "movieId,title,genres\\n1,\\"Matrix, The (1999)\\",Action|Sci-Fi\\n")
                z.writestr("ml-tiny/ratings.csv", "userId,movieId,rating,timestamp\\n1,1,4.5,1000000000\\n")
                z.writestr("ml-tiny/padding.bin", random.randbytes(int(sys.argv[2])), compress_type=zipfile.ZIP_STORED)
            """
        let (status, _, err) = try TestPaths.run(["python3", "-c", script, zip, String(padding)])
        guard status == 0 else { throw XCTSkip("python3 cannot write the zip: \(err)") }
        return Hex.encode(try MD5Hasher.digest(ofFileAt: zip))
    }

    private func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// Protects the happy path: with the right published MD5 (BSD `md5` format) the file is
    /// kept under its name, no .part is left, progress reports the bytes, and the drop opens.
    func testRightMD5KeepsTheFileAndTheDropOpens() throws {
        let md5 = try makeDropZip("ml-tiny.zip")
        try "MD5 (ml-tiny.zip) = \(md5)\n".write(toFile: served + "/ml-tiny.zip.md5", atomically: true, encoding: .utf8)
        var events: [Fetch.Progress] = []
        let r = try Fetch.run(server.base + "ml-tiny.zip", to: downloads) { events.append($0) }
        XCTAssertTrue(r.verified)
        XCTAssertTrue(r.downloaded)
        XCTAssertEqual(r.md5, md5)
        XCTAssertEqual(r.expectedMD5, md5)
        XCTAssertEqual(r.path, downloads + "/ml-tiny.zip")
        XCTAssertEqual(contents(downloads), ["ml-tiny.zip"])
        let size = try FileManager.default.attributesOfItem(atPath: served + "/ml-tiny.zip")[.size] as! NSNumber
        XCTAssertEqual(r.bytes, size.int64Value)
        let last = try XCTUnwrap(events.last { $0.phase == .download })
        XCTAssertTrue(last.finished)
        XCTAssertEqual(last.bytes, size.int64Value)
        XCTAssertEqual(last.totalBytes, size.int64Value)
        let drop = try DropSource.open(path: r.path)
        XCTAssertEqual(drop.kind, .zip)
        XCTAssertTrue(drop.contains("movies.csv") && drop.contains("ratings.csv"))
    }

    /// Protects "never keep a damaged download": a wrong published MD5 deletes the .part,
    /// leaves the folder empty, and throws an error naming the URL, both digests and what to do.
    func testWrongMD5DeletesThePartAndSaysWhatToDo() throws {
        let md5 = try makeDropZip("ml-tiny.zip", padding: 1_000)
        let wrong = "0123456789abcdef0123456789abcdef"
        try "\(wrong)  ml-tiny.zip\n".write(toFile: served + "/ml-tiny.zip.md5", atomically: true, encoding: .utf8)
        let url = server.base + "ml-tiny.zip"
        XCTAssertThrowsError(try Fetch.run(url, to: downloads)) { error in
            guard let e = error as? FetchError, case .checksumMismatch(let u, let expected, let actual, let bytes) = e else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(u, url)
            XCTAssertEqual(expected, wrong)
            XCTAssertEqual(actual, md5)
            XCTAssertEqual(
                e.description,
                "\(url): error: MD5 mismatch: the server publishes \(wrong), the \(bytes) bytes downloaded have \(md5). "
                    + "The download was damaged (or the file changed while downloading) and has been deleted; run `lens fetch` again, "
                    + "and if the same digest comes back, the published .md5 is out of date: tell the server's maintainers")
        }
        XCTAssertEqual(contents(downloads), [])
    }

    /// Protects clear HTTP errors: a missing file is a 404 naming the URL, and nothing is left.
    func testNotFoundIsAClearError() throws {
        let url = server.base + "ml-nothing.zip"
        XCTAssertThrowsError(try Fetch.run(url, to: downloads)) { error in
            XCTAssertEqual(error as? FetchError, .http(url: url, status: 404))
            XCTAssertTrue("\(error)".hasPrefix("\(url): error: not found (HTTP 404). Check the name or URL"), "\(error)")
        }
        XCTAssertEqual(contents(downloads), [])
    }

    /// Protects clear connection errors: nobody listening is "connection refused", not a hang.
    func testConnectionRefusedIsAClearError() throws {
        let (_, out, _) = try TestPaths.run(["python3", "-c",
                                             "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"])
        let url = "http://127.0.0.1:\(out.trimmingCharacters(in: .whitespacesAndNewlines))/ml-tiny.zip"
        XCTAssertThrowsError(try Fetch.run(url, to: downloads, timeout: 10)) { error in
            guard case FetchError.transport(let u, let message)? = error as? FetchError else { return XCTFail("\(error)") }
            XCTAssertEqual(u, url + ".md5")
            XCTAssertTrue(message.contains("connection refused") || message.contains("connect"), message)
            XCTAssertTrue("\(error)".contains("Check the network connection"), "\(error)")
        }
    }

    /// Protects "kept for reruns": a second fetch finds the verified file and does not download
    /// it again (the server no longer even has the zip, only its .md5).
    func testSecondFetchDoesNotDownloadAgain() throws {
        let md5 = try makeDropZip("ml-tiny.zip", padding: 1_000)
        try "\(md5)  ml-tiny.zip\n".write(toFile: served + "/ml-tiny.zip.md5", atomically: true, encoding: .utf8)
        let first = try Fetch.run(server.base + "ml-tiny.zip", to: downloads)
        XCTAssertTrue(first.downloaded)
        try FileManager.default.removeItem(atPath: served + "/ml-tiny.zip")
        let second = try Fetch.run(server.base + "ml-tiny.zip", to: downloads)
        XCTAssertFalse(second.downloaded)
        XCTAssertTrue(second.verified)
        XCTAssertEqual(second.md5, md5)
        XCTAssertTrue(second.note.hasPrefix("already downloaded"), second.note)
        XCTAssertEqual(contents(downloads), ["ml-tiny.zip"])
    }

    /// Protects replacing a damaged copy: a file already there with the wrong MD5 is downloaded
    /// again, and the result says so.
    func testADamagedExistingCopyIsReplaced() throws {
        let md5 = try makeDropZip("ml-tiny.zip", padding: 1_000)
        try "\(md5)\n".write(toFile: served + "/ml-tiny.zip.md5", atomically: true, encoding: .utf8)
        try "not a zip".write(toFile: downloads + "/ml-tiny.zip", atomically: true, encoding: .utf8)
        let r = try Fetch.run(server.base + "ml-tiny.zip", to: downloads)
        XCTAssertTrue(r.downloaded && r.verified)
        XCTAssertTrue(r.note.contains("downloaded again"), r.note)
        XCTAssertEqual(Hex.encode(try MD5Hasher.digest(ofFileAt: downloads + "/ml-tiny.zip")), md5)
    }

    /// Protects "not silently": when the server publishes no .md5 the file is kept, and the
    /// result says it is unverified.
    func testNoPublishedMD5IsSaidNotSilent() throws {
        let md5 = try makeDropZip("other.zip", padding: 1_000)
        let r = try Fetch.run(server.base + "other.zip", to: downloads)
        XCTAssertFalse(r.verified)
        XCTAssertNil(r.expectedMD5)
        XCTAssertEqual(r.md5, md5)
        XCTAssertTrue(r.note.contains("UNVERIFIED") && r.note.contains("other.zip.md5"), r.note)
        XCTAssertEqual(contents(downloads), ["other.zip"])
    }

    /// Protects the names and checksum formats: drop names map to GroupLens URLs (ml-10m's zip
    /// is ml-10m.zip), other words are refused, the default folder follows LENS_HOME, and the
    /// digest is found in each .md5 layout.
    func testNamesFoldersAndChecksumFormats() throws {
        let (url, file) = try Fetch.resolve("ml-10m")
        XCTAssertEqual(url.absoluteString, "https://files.grouplens.org/datasets/movielens/ml-10m.zip")
        XCTAssertEqual(file, "ml-10m.zip")
        XCTAssertEqual(try Fetch.resolve("ml-latest-small").url.absoluteString,
                       "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip")
        XCTAssertEqual(try Fetch.resolve("https://example.org/x/ml-32m.zip").fileName, "ml-32m.zip")
        XCTAssertThrowsError(try Fetch.resolve("ml-99m")) { error in
            XCTAssertEqual(error as? FetchError, .unknownName("ml-99m"))
            XCTAssertTrue("\(error)".contains("ml-latest-small"), "\(error)")
        }
        XCTAssertEqual(Fetch.defaultDirectory(environment: ["LENS_HOME": "/srv/lens"]), "/srv/lens/downloads")
        XCTAssertEqual(Fetch.defaultDirectory(environment: [:]), ".lens/downloads")
        let h = "c4d9eecfca2ab87c1945afe126590906"
        XCTAssertEqual(Fetch.parseMD5(h), h)
        XCTAssertEqual(Fetch.parseMD5("\(h)  ml-1m.zip\n"), h)
        XCTAssertEqual(Fetch.parseMD5("MD5 (ml-1m.zip) = \(h.uppercased())\n"), h)
        XCTAssertNil(Fetch.parseMD5("<html>Not Found</html>"))
    }
}
