/// Hex sha256 of a file's bytes (manifest, catalog). Throws `LensError.output` when unreadable.
func fileSHA256(_ path: String) throws -> String {
    do {
        return Hex.encode(try sha256(ofFileAt: path))
    } catch {
        throw LensError.output(path: path, message: "cannot read back the file to checksum it: \(error)")
    }
}

/// Hex sha256 of a list of strings, each followed by a newline (a fingerprint of fingerprints).
func combinedSHA256(_ parts: [String]) -> String {
    var h = SHA256Hasher()
    for p in parts { h.update(Array((p + "\n").utf8)) }
    return Hex.encode(h.finalize())
}
