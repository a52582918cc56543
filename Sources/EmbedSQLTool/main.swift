import Foundation

// Build tool of the EmbedSQL plugin: writes a Swift file holding the text of every file of
// lens's sql folder, so that an installed `lens` is one file that needs no sql folder beside it.
//
// Usage: EmbedSQLTool <sql-folder> <output.swift> <file>...
// Each <file> lies under <sql-folder>; its key is its path relative to that folder
// ("checks/ratings_unique.sql"), the key SQLFiles.text takes.

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: EmbedSQLTool <sql-folder> <output.swift> <file>...\n".utf8))
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
for file in args.dropFirst(3) {
    let path = URL(fileURLWithPath: file).standardizedFileURL.path
    guard path.hasPrefix(root) else {
        FileHandle.standardError.write(Data("EmbedSQLTool: \(path) is not under \(root)\n".utf8))
        exit(64)
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("EmbedSQLTool: cannot read \(path) as UTF-8\n".utf8))
        exit(65)
    }
    entries.append((String(path.dropFirst(root.count)), text))
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
