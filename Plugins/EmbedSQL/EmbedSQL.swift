import Foundation
import PackagePlugin

/// Compiles the package's sql/ folder into the target it is applied to (LensCore), as
/// `SQLFiles.embeddedTexts`, so that an installed `lens` is one file. Every file under sql/ is an
/// input of the build command: editing, adding or removing one regenerates the Swift file.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sqlFolder = context.package.directoryURL.appendingPathComponent("sql")
        var files: [URL] = []
        if let walker = FileManager.default.enumerator(at: sqlFolder, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where url.pathExtension == "sql" {
                files.append(url)
            }
        }
        files.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding sql/ (\(files.count) files) into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [sqlFolder.path, output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
