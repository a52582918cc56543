import Foundation

/// GroupLens publishes `NAME.zip.md5` beside each zip. When a drop given as a zip has one beside
/// it, its MD5 is checked before anything is read, so a damaged or swapped download never loads.
public enum PublishedChecksum {
    /// Verifies `zipPath` against `zipPath + ".md5"` when that file exists; returns the MD5 checked,
    /// nil when there is no .md5. Throws `LensError.input` on a mismatch or an unreadable .md5.
    @discardableResult
    public static func verify(zipPath: String) throws -> String? {
        let md5Path = zipPath + ".md5"
        guard FileManager.default.fileExists(atPath: md5Path) else { return nil }
        guard let text = try? String(contentsOfFile: md5Path, encoding: .utf8), let expected = Fetch.parseMD5(text) else {
            throw LensError.input(file: md5Path, line: 1, message: "cannot read an MD5 digest from this file; fix or remove it")
        }
        let actual = Hex.encode(try MD5Hasher.digest(ofFileAt: zipPath))
        guard actual == expected else {
            throw LensError.input(file: zipPath, line: nil,
                                  message: "MD5 \(actual) does not match the published \(expected) in \(md5Path); the download is damaged or not the published drop: fetch it again (lens fetch)")
        }
        return actual
    }
}
