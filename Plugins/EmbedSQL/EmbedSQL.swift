import Foundation
import PackagePlugin

/// Compiles the package's sql/ folder into the target it is applied to (LensCore), as
/// `SQLFiles.embeddedTexts`, so that an installed `lens` is one file.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sqlFolder = context.package.directoryURL.appendingPathComponent("sql")
        // Inputs: every file (an edit reruns the tool) and every folder (adding a file changes its
        // folder, which reruns the tool; the tool lists the folder itself, so it never works from
        // a stale list). SwiftPM calls this plugin again only when the package changes, so after
        // removing or renaming a file `touch Package.swift` (else: "missing inputs").
        var inputs: [URL] = [sqlFolder]
        if let walker = FileManager.default.enumerator(at: sqlFolder, includingPropertiesForKeys: [.isDirectoryKey]) {
            for case let url as URL in walker {
                if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true || url.pathExtension == "sql" {
                    inputs.append(url)
                }
            }
        }
        inputs.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding the sql folder into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [sqlFolder.path, output.path],
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
