import Foundation

/// Decides, before any work, whether `--out` may become (or be replaced by) a lens export.
///
/// The export is swapped in by renaming: `<out>.partial` -> `<out>`, the old `<out>` moved to
/// `<out>.old` and deleted. That is only safe when every one of those paths is lens's own, so
/// lens replaces nothing but a folder holding its own `manifest.json` (or an empty one), and
/// refuses a user's folder, a file, the drop itself or anything inside or around it. The
/// sibling folders are recognised by the marker file lens writes into `.partial` first.
public enum ExportFolderGuard {
    /// The file lens writes into `<out>.partial` before anything else, so that a leftover
    /// `.partial` (a killed run, a full disk) is known to be lens's and may be deleted.
    public static let partialMarker = ".lens-partial"

    /// Throws `LensError.config` (exit 64) naming the path and why, when writing the export to
    /// `out` could destroy what is not lens's. `source` is the drop (folder or zip).
    public static func check(out: String, source: String) throws {
        let outPath = resolved(out)
        let sourcePath = resolved(source)
        if outPath == "/" { throw refusal(out, "it is the root folder") }
        if outPath == sourcePath {
            throw refusal(out, "it is the drop being read (--source); choose a folder of its own for the export")
        }
        if isInside(outPath, sourcePath) {
            throw refusal(out, "it is inside the drop being read (\(source)); choose a folder outside it")
        }
        if isInside(sourcePath, outPath) {
            throw refusal(out, "the drop being read (\(source)) is inside it, and replacing the export would delete it")
        }
        try checkReplaceable(out, role: "--out")
        // `.old` is a previous export moved aside; `.partial` an export being built.
        try checkReplaceable(out + ".old", role: "the leftover \(out).old")
        if let problem = partialProblem(out + ".partial") {
            throw refusal(out + ".partial", problem)
        }
    }

    /// True when `path` is absent, an empty folder, or a folder holding lens's manifest.
    public static func isReplaceable(_ path: String) -> Bool {
        (try? checkReplaceable(path, role: path)) != nil
    }

    /// True when `<out>.partial` is absent or lens's own (its marker file is there, or it is empty).
    public static func partialIsOwn(_ partial: String) -> Bool {
        partialProblem(partial) == nil
    }

    /// Deletes `<out>.partial` if, and only if, it is lens's own. Used after any failure and on
    /// SIGINT/SIGTERM. Returns true when something was removed.
    @discardableResult
    public static func removeOwnPartial(out: String) -> Bool {
        let partial = out + ".partial"
        guard FileManager.default.fileExists(atPath: partial), partialIsOwn(partial) else { return false }
        return (try? FileManager.default.removeItem(atPath: partial)) != nil
    }

    // MARK: - Helpers

    private static func checkReplaceable(_ path: String, role: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) || isSymlink(path) else { return }
        if isSymlink(path) {
            throw refusal(path, "\(role) is a symbolic link; lens replaces only a real folder it wrote itself")
        }
        guard isDir.boolValue else {
            throw refusal(path, "\(role) is a file, not a folder; lens will not replace it")
        }
        let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        if entries.isEmpty { return }
        if isLensManifest(path + "/manifest.json") { return }
        let shown = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", ..." : "")
        throw refusal(path, "\(role) is a folder that is not a lens export (no lens manifest.json; it holds \(entries.count) entr\(entries.count == 1 ? "y" : "ies"): \(shown)); lens replaces only its own exports: choose a new or empty folder")
    }

    private static func partialProblem(_ partial: String) -> String? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if isSymlink(partial) { return "a leftover \(partial) is a symbolic link, not lens's; remove it or choose another --out" }
        guard fm.fileExists(atPath: partial, isDirectory: &isDir) else { return nil }
        guard isDir.boolValue else { return "\(partial), where lens builds the export, is a file that is not lens's; remove it or choose another --out" }
        let entries = (try? fm.contentsOfDirectory(atPath: partial)) ?? []
        // The marker is removed just before the rename into place, when the manifest is there.
        if entries.isEmpty || entries.contains(partialMarker) || isLensManifest(partial + "/manifest.json") { return nil }
        return "\(partial), where lens builds the export, holds files that are not lens's (no \(partialMarker) marker); remove it or choose another --out"
    }

    /// A `manifest.json` that lens wrote: a JSON object with lens's own keys.
    static func isLensManifest(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return object["lens_version"] is String && object["files"] is [Any] && object["run_fingerprint"] is String
    }

    private static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// The absolute path with symbolic links resolved as far as the path exists (the rest,
    /// not created yet, appended as given), so that `out` and the drop compare by what they are.
    static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing) && existing != "/" {
            rest.insert((existing as NSString).lastPathComponent, at: 0)
            existing = (existing as NSString).deletingLastPathComponent
        }
        var real = (existing as NSString).resolvingSymlinksInPath
        if real.isEmpty { real = "/" }
        return rest.reduce(real) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// True when `path` lies strictly below `folder`.
    private static func isInside(_ path: String, _ folder: String) -> Bool {
        let f = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(f)
    }

    private static func refusal(_ path: String, _ why: String) -> LensError {
        .config(file: path, line: nil, message: "refusing to write the export here: \(why)")
    }
}
