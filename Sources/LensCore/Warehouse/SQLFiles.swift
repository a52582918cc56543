import Foundation

/// The project's SQL lives in `sql/` files, not in Swift strings. Those files are compiled into
/// lens (the EmbedSQL build plugin writes `SQLFiles.embeddedTexts`), so an installed binary needs
/// no folder beside it; `$LENS_SQL_DIR` points lens at a folder instead, for editing SQL without
/// rebuilding. Fills in the identifiers a file names as `{{schema}}`, `{{current}}`, `{{catalog}}`.
public struct SQLFiles: Sendable {
    /// The `sql` folder in use, or `SQLFiles.builtInRoot` when the texts are the compiled-in ones.
    public let root: String
    /// The compiled-in texts by relative path, or nil when reading from the folder `root`.
    let texts: [String: String]?

    /// What `root` says when the texts are those compiled into lens.
    public static let builtInRoot = "(sql built into lens)"

    /// The texts compiled into this build of lens.
    public static let builtIn = SQLFiles(builtInRoot, texts: embeddedTexts)

    /// `$LENS_SQL_DIR` when set (a development override: edits there take effect without a
    /// rebuild), else the texts built into lens. Throws `LensError.config` when LENS_SQL_DIR is
    /// not lens's sql folder.
    public static func locate() throws -> SQLFiles {
        if let env = ProcessInfo.processInfo.environment["LENS_SQL_DIR"], !env.isEmpty {
            guard FileManager.default.fileExists(atPath: env + "/warehouse/create_version_schema.sql") else {
                throw LensError.config(file: env, line: nil, message: "LENS_SQL_DIR does not hold lens's sql folder (warehouse/create_version_schema.sql missing); unset it to use the SQL built into lens")
            }
            return SQLFiles(root: env)
        }
        return builtIn
    }

    /// The files of the folder `root`.
    public init(root: String) {
        self.root = root
        self.texts = nil
    }

    init(_ root: String, texts: [String: String]) {
        self.root = root
        self.texts = texts
    }

    /// Where `relativePath` comes from, for messages: its path, or "sql/<path> (built into lens)".
    public func location(_ relativePath: String) -> String {
        texts == nil ? root + "/" + relativePath : "sql/" + relativePath + " (built into lens)"
    }

    /// The text of `relativePath` as written, placeholders and all. Throws `LensError.config`
    /// when there is no such file.
    public func rawText(_ relativePath: String) throws -> String {
        if let texts {
            guard let text = texts[relativePath] else {
                throw LensError.config(file: location(relativePath), line: nil, message: "lens was built without this SQL file (rebuild lens, or set LENS_SQL_DIR to a sql folder that has it)")
            }
            return text
        }
        let path = root + "/" + relativePath
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw LensError.config(file: path, line: nil, message: "cannot read this SQL file of lens (is the sql folder complete?)")
        }
        return text
    }

    /// The text of `relativePath` (e.g. "warehouse/constraints.sql") with `{{name}}` replaced by
    /// `identifiers[name]`. Identifiers must be plain lower-case names (checked), because they are
    /// pasted into SQL text; values are never passed this way (they are bound parameters).
    public func text(_ relativePath: String, _ identifiers: [String: String] = [:]) throws -> String {
        var text = try rawText(relativePath)
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

    /// The `.sql` files directly in `folder` (not in its subfolders), sorted by name, as paths
    /// relative to the sql folder ("checks/ratings_unique.sql").
    public func files(in folder: String) -> [String] {
        if let texts {
            let prefix = folder + "/"
            return texts.keys.filter { key in
                key.hasPrefix(prefix) && key.hasSuffix(".sql") && !key.dropFirst(prefix.count).contains("/")
            }.sorted()
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { folder + "/" + $0 }
    }
}
