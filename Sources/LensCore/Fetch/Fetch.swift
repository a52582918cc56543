#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `lens fetch`: downloads a GroupLens drop and keeps it only when its MD5 matches the `.md5`
/// GroupLens publishes beside it.
///
/// The body streams to `DIR/NAME.zip.part` (hashed on the way), is fsynced, and is renamed to
/// `DIR/NAME.zip` only when the digest matches; a mismatch deletes the part file and throws.
/// A complete file already in DIR whose MD5 matches the published one is kept and not
/// downloaded again. When the server publishes no `.md5`, the file is kept and the result says
/// it is unverified.
public enum Fetch {
    /// The drops GroupLens publishes under https://files.grouplens.org/datasets/movielens/.
    public static let knownNames = ["ml-latest-small", "ml-latest", "ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m"]
    public static let baseURL = "https://files.grouplens.org/datasets/movielens/"

    /// What is happening, for a progress display.
    public struct Progress: Sendable {
        public enum Phase: String, Sendable {
            /// Getting `NAME.zip.md5`.
            case checksum
            /// Hashing a file already in the download folder.
            case checkingExisting
            /// Downloading the drop.
            case download
        }
        public var phase: Phase
        public var url: String
        /// Bytes so far, and in all when known.
        public var bytes: Int64
        public var totalBytes: Int64?
        public var seconds: Double
        /// Average rate since the phase started.
        public var bytesPerSecond: Double
        /// True on the last event of a phase.
        public var finished: Bool
    }

    /// What `run` delivered.
    public struct Result: Codable, Sendable, Equatable {
        public var url: String
        public var md5URL: String
        /// The kept file.
        public var path: String
        public var bytes: Int64
        /// The file's MD5 (hex).
        public var md5: String
        /// The published MD5, nil when the server has no `.md5` for this file.
        public var expectedMD5: String?
        /// True when the file's MD5 equals the published one.
        public var verified: Bool
        /// False when a verified copy was already there (nothing was downloaded).
        public var downloaded: Bool
        public var seconds: Double
        /// One sentence for people: what happened.
        public var note: String

        enum CodingKeys: String, CodingKey {
            case url, md5URL = "md5_url", path, bytes, md5, expectedMD5 = "expected_md5", verified, downloaded, seconds, note
        }
    }

    /// `$LENS_HOME/downloads`, else `.lens/downloads` (relative to the working directory).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["LENS_HOME"], !home.isEmpty { return (home as NSString).appendingPathComponent("downloads") }
        return ".lens/downloads"
    }

    /// A drop name -> its GroupLens URL; an http(s) URL as given. Returns the URL and the file
    /// name to save it under.
    public static func resolve(_ nameOrURL: String) throws -> (url: URL, fileName: String) {
        if knownNames.contains(nameOrURL) {
            return (URL(string: baseURL + nameOrURL + ".zip")!, nameOrURL + ".zip")
        }
        let lower = nameOrURL.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://"), let url = URL(string: nameOrURL), url.host != nil {
            let last = url.lastPathComponent
            let name = last.isEmpty || last == "/" ? "download.zip" : last
            return (url, name)
        }
        throw FetchError.unknownName(nameOrURL)
    }

    /// Fetches `nameOrURL` into `directory` (default ``defaultDirectory(environment:)``).
    /// - Throws: ``FetchError``.
    public static func run(_ nameOrURL: String, to directory: String? = nil, timeout: TimeInterval = 60,
                           progress: ((Progress) -> Void)? = nil) throws -> Result {
        let started = Date()
        let (url, fileName) = try resolve(nameOrURL)
        let dir = directory ?? defaultDirectory()
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw FetchError.io(path: dir, message: "cannot create the download folder: \(error.localizedDescription)")
        }
        let finalPath = (dir as NSString).appendingPathComponent(fileName)
        let partPath = finalPath + ".part"
        let md5URL = URL(string: url.absoluteString + ".md5")!

        // 1. The published checksum (404: none published).
        let expected = try fetchPublishedMD5(md5URL, timeout: timeout, progress: progress)

        // 2. A verified copy already here?
        var note = ""
        if FileManager.default.fileExists(atPath: finalPath) {
            if let expected {
                let have = try md5(ofFileAt: finalPath, url: url.absoluteString, progress: progress)
                if have.md5 == expected {
                    return Result(url: url.absoluteString, md5URL: md5URL.absoluteString, path: finalPath, bytes: have.bytes,
                                  md5: have.md5, expectedMD5: expected, verified: true, downloaded: false,
                                  seconds: Date().timeIntervalSince(started),
                                  note: "already downloaded: \(finalPath) matches the published MD5; not downloaded again")
                }
                note = "the copy that was there had MD5 \(have.md5), not the published \(expected); downloaded again. "
            } else {
                let have = try md5(ofFileAt: finalPath, url: url.absoluteString, progress: progress)
                return Result(url: url.absoluteString, md5URL: md5URL.absoluteString, path: finalPath, bytes: have.bytes,
                              md5: have.md5, expectedMD5: nil, verified: false, downloaded: false,
                              seconds: Date().timeIntervalSince(started),
                              note: "already downloaded: kept \(finalPath) UNVERIFIED — the server publishes no \(md5URL.lastPathComponent) to check it against")
            }
        }

        // 3. Download to NAME.zip.part, hashing on the way.
        let got = try download(url, to: partPath, timeout: timeout, progress: progress)
        if let expected, got.md5 != expected {
            unlink(partPath)
            throw FetchError.checksumMismatch(url: url.absoluteString, expected: expected, actual: got.md5, bytes: got.bytes)
        }
        if rename(partPath, finalPath) != 0 {
            let message = String(cString: strerror(errno))
            unlink(partPath)
            throw FetchError.io(path: finalPath, message: "cannot rename the download into place: \(message)")
        }
        syncDirectory(dir)
        if expected != nil {
            note += "downloaded \(got.bytes) bytes; MD5 \(got.md5) matches the published one"
        } else {
            note += "downloaded \(got.bytes) bytes UNVERIFIED — the server publishes no \(md5URL.lastPathComponent) (HTTP 404); MD5 of the file: \(got.md5)"
        }
        return Result(url: url.absoluteString, md5URL: md5URL.absoluteString, path: finalPath, bytes: got.bytes, md5: got.md5,
                      expectedMD5: expected, verified: expected != nil, downloaded: true,
                      seconds: Date().timeIntervalSince(started), note: note)
    }

    // MARK: - Steps

    /// The digest in a published `.md5` file ("<hex>  name", "MD5 (name) = <hex>" or bare),
    /// lower-cased; nil on HTTP 404/410.
    static func fetchPublishedMD5(_ url: URL, timeout: TimeInterval, progress: ((Progress) -> Void)?) throws -> String? {
        var body: [UInt8] = []
        let t0 = Date()
        let (response, _) = try HTTPGet.run(url, timeout: timeout) { bytes in
            guard body.count + bytes.count <= 64 * 1024 else {
                throw FetchError.badChecksumFile(url: url.absoluteString, text: "(more than 64 KiB)")
            }
            body.append(contentsOf: bytes)
        }
        if response.status == 404 || response.status == 410 { return nil }
        guard response.status == 200 else { throw FetchError.http(url: url.absoluteString, status: response.status) }
        let seconds = Date().timeIntervalSince(t0)
        progress?(Progress(phase: .checksum, url: url.absoluteString, bytes: Int64(body.count), totalBytes: Int64(body.count),
                           seconds: seconds, bytesPerSecond: Double(body.count) / max(seconds, 1e-6), finished: true))
        let text = String(decoding: body, as: UTF8.self)
        guard let digest = parseMD5(text) else {
            throw FetchError.badChecksumFile(url: url.absoluteString, text: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return digest
    }

    /// The first run of exactly 32 hexadecimal digits, lower-cased.
    public static func parseMD5(_ text: String) -> String? {
        var run: [UInt8] = []
        func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46) }
        for b in text.utf8 + [0x20] {
            if isHex(b) {
                run.append(b)
            } else {
                if run.count == 32 { return String(decoding: run, as: UTF8.self).lowercased() }
                run.removeAll(keepingCapacity: true)
            }
        }
        return nil
    }

    /// Streams `url` into `path` (truncated first), fsyncs and closes it; returns its size and MD5.
    static func download(_ url: URL, to path: String, timeout: TimeInterval,
                         progress: ((Progress) -> Void)?) throws -> (bytes: Int64, md5: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FetchError.io(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        var closed = false
        var keep = false
        defer {
            if !closed { close(fd) }
            if !keep { unlink(path) }
        }
        var hasher = MD5Hasher()
        var bytes: Int64 = 0
        var total: Int64?
        let t0 = Date()
        var lastReport = t0
        let urlText = url.absoluteString
        let (response, _) = try HTTPGet.run(url, timeout: timeout, onResponse: { total = $0.expectedBytes }) { chunk in
            var p = chunk.baseAddress!
            var left = chunk.count
            while left > 0 {
                let n = write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FetchError.io(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                p += n
                left -= n
            }
            hasher.update(chunk)
            bytes += Int64(chunk.count)
            let now = Date()
            if let progress, now.timeIntervalSince(lastReport) >= 0.2 {
                lastReport = now
                let s = now.timeIntervalSince(t0)
                progress(Progress(phase: .download, url: urlText, bytes: bytes, totalBytes: total, seconds: s,
                                  bytesPerSecond: Double(bytes) / max(s, 1e-6), finished: false))
            }
        }
        guard response.status == 200 else { throw FetchError.http(url: urlText, status: response.status) }
        if fsync(fd) != 0 {
            throw FetchError.io(path: path, message: "cannot fsync: \(String(cString: strerror(errno)))")
        }
        closed = true
        if close(fd) != 0 {
            throw FetchError.io(path: path, message: "cannot close: \(String(cString: strerror(errno)))")
        }
        let s = Date().timeIntervalSince(t0)
        progress?(Progress(phase: .download, url: urlText, bytes: bytes, totalBytes: total ?? bytes, seconds: s,
                           bytesPerSecond: Double(bytes) / max(s, 1e-6), finished: true))
        keep = true
        return (bytes, Hex.encode(hasher.finalize()))
    }

    /// Size and MD5 of a file already in the download folder.
    static func md5(ofFileAt path: String, url: String, progress: ((Progress) -> Void)?) throws -> (bytes: Int64, md5: String) {
        let t0 = Date()
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
        let digest: [UInt8]
        do {
            digest = try MD5Hasher.digest(ofFileAt: path)
        } catch {
            throw FetchError.io(path: path, message: "cannot read the existing file: \(error)")
        }
        let s = Date().timeIntervalSince(t0)
        progress?(Progress(phase: .checkingExisting, url: url, bytes: size, totalBytes: size, seconds: s,
                           bytesPerSecond: Double(size) / max(s, 1e-6), finished: true))
        return (size, Hex.encode(digest))
    }

    /// fsyncs a folder so that a rename in it survives a crash (best effort).
    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}
