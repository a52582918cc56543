import Foundation

/// The project's SQL lives in `sql/` files, not in Swift strings. This finds that folder and
/// fills in the identifiers a file names as `{{schema}}`, `{{current}}`, `{{catalog}}`.
public struct SQLFiles: Sendable {
    /// The `sql` folder in use.
    public let root: String

    /// Finds `sql/`: `$LENS_SQL_DIR`, else next to the executable or any folder above it
    /// (a build in `.build/release/lens` finds the repository's), else the working directory
    /// and its parents. Throws `LensError.config` saying where it looked.
    public static func locate(executablePath: String? = CommandLine.arguments.first) throws -> SQLFiles {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["LENS_SQL_DIR"], !env.isEmpty {
            guard fm.fileExists(atPath: env + "/warehouse/create_version_schema.sql") else {
                throw LensError.config(file: env, line: nil, message: "LENS_SQL_DIR does not hold lens's sql folder (warehouse/create_version_schema.sql missing)")
            }
            return SQLFiles(root: env)
        }
        var starts: [URL] = []
        if let exe = executablePath {
            let url = URL(fileURLWithPath: exe).resolvingSymlinksInPath()
            starts.append(url.deletingLastPathComponent())
        }
        starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("sql")
                if fm.fileExists(atPath: candidate.path + "/warehouse/create_version_schema.sql") {
                    return SQLFiles(root: candidate.path)
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw LensError.config(file: "sql/", line: nil,
                               message: "cannot find lens's sql folder next to the executable or the working directory; set LENS_SQL_DIR to the repository's sql folder")
    }

    public init(root: String) { self.root = root }

    /// The text of `relativePath` (e.g. "warehouse/constraints.sql") with `{{name}}` replaced by
    /// `identifiers[name]`. Identifiers must be plain lower-case names (checked), because they are
    /// pasted into SQL text; values are never passed this way (they are bound parameters).
    public func text(_ relativePath: String, _ identifiers: [String: String] = [:]) throws -> String {
        let path = root + "/" + relativePath
        guard let data = FileManager.default.contents(atPath: path), var text = String(data: data, encoding: .utf8) else {
            throw LensError.config(file: path, line: nil, message: "cannot read this SQL file of lens (is the sql folder complete?)")
        }
        for (name, value) in identifiers {
            guard isPlainIdentifier(value) else {
                throw LensError.internal(message: "identifier '\(value)' for {{\(name)}} is not a plain SQL name")
            }
            text = text.replacingOccurrences(of: "{{\(name)}}", with: value)
        }
        if let r = text.range(of: "{{") {
            let name = text[r.lowerBound...].prefix(40)
            throw LensError.internal(message: "\(relativePath) names a placeholder that was not given: \(name)")
        }
        return text
    }

    /// The `.sql` files under `folder`, sorted by name.
    public func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { folder + "/" + $0 }
    }
}
