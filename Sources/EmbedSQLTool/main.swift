import Foundation

// Build tool of the EmbedSQL plugin: writes a Swift file holding the text of every file of
// lens's sql folder, so that an installed `lens` is one file that needs no sql folder beside it.
//
// Usage: EmbedSQLTool <sql-folder> <output.swift>
// Embeds every .sql file under <sql-folder>, keyed by its path relative to that folder
// ("checks/ratings_unique.sql"), the key SQLFiles.text takes.

let args = CommandLine.arguments
guard args.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedSQLTool <sql-folder> <output.swift>\n".utf8))
    exit(64)
}
let root = URL(fileURLWithPath: args[1]).standardizedFileURL.path + "/"
let output = args[2]

/// `text` as a Swift string literal: escapes keep the generated file valid whatever the SQL holds.
func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            out += "\\u{\(String(scalar.value, radix: 16))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

var entries: [(String, String)] = []
let walker = FileManager.default.enumerator(atPath: root)
while let relative = walker?.nextObject() as? String {
    guard relative.hasSuffix(".sql") else { continue }
    guard let data = FileManager.default.contents(atPath: root + relative), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("EmbedSQLTool: cannot read \(root + relative) as UTF-8\n".utf8))
        exit(65)
    }
    entries.append((relative, text))
}
entries.sort { $0.0 < $1.0 }

var swift = """
// Generated at build time by the EmbedSQL plugin (Sources/EmbedSQLTool) from sql/: do not edit.

extension SQLFiles {
    /// The text of every file of sql/ when lens was built, by path relative to sql/.
    static let embeddedTexts: [String: String] = [

"""
for (key, text) in entries {
    swift += "        \(literal(key)): \(literal(text)),\n"
}
if entries.isEmpty { swift += "        :\n" }
swift += "    ]\n}\n"

// Rewrite only when the text changed, so an unchanged sql folder does not recompile LensCore.
if FileManager.default.contents(atPath: output) != Data(swift.utf8) {
    do {
        try Data(swift.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
    } catch {
        FileHandle.standardError.write(Data("EmbedSQLTool: cannot write \(output): \(error)\n".utf8))
        exit(73)
    }
}
