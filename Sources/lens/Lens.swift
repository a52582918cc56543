import ArgumentParser
import Foundation
import LensCore

/// `lens`: the MovieLens warehouse. Each subcommand parses its options, calls one LensCore
/// task and renders the result; exit codes are documented in README.md.
@main
struct Lens: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "The MovieLens warehouse: drop -> cleaned Parquet -> PostgreSQL, with a catalog.",
        discussion: """
            Precedence of settings: command-line flag > environment > pipeline file > built-in default.
            Exit codes: 0 success, 1 a data check failed, 2 could not complete, 64 usage or config error, 70 internal error.
            """,
        version: lensVersion,
        subcommands: [RunCommand.self, LoadCommand.self, AppendCommand.self, CatalogCommand.self, DBCommand.self, QueryCommand.self, CheckCommand.self, DriftCommand.self, ReportCommand.self, RolesCommand.self, SynthCommand.self, FetchCommand.self, DoctorCommand.self]
    )

    /// Sets what every command shares before it parses: lens's connections name themselves
    /// `lens <command>` in pg_stat_activity (libpq reads PGAPPNAME; a user's own wins), and the
    /// private cluster's creation or start is said on stderr.
    static func main() {
        let arguments = WaitOption.spellOutBareWait(Array(CommandLine.arguments.dropFirst()))
        if ProcessInfo.processInfo.environment["PGAPPNAME"] == nil {
            let command = arguments.first { !$0.hasPrefix("-") } ?? ""
            setenv("PGAPPNAME", command.isEmpty ? "lens" : "lens \(command)", 1)
        }
        DatabaseTarget.onPrivateCluster = { say("lens: " + $0) }
        main(arguments)
    }
}

/// Renders a fatal error as one line on stderr and exits with its documented code.
func exitWith(_ error: Error) -> Never {
    ProgressRenderer.shared.finishLine()
    if let e = error as? LensError {
        FileHandle.standardError.write(Data("lens: \(e.description)\n".utf8))
        exit(e.exitCode)
    }
    if let e = error as? IngestError {
        FileHandle.standardError.write(Data("lens: \(e.description)\n".utf8))
        exit(2)
    }
    FileHandle.standardError.write(Data("lens: error: \(error)\n".utf8))
    exit(2)
}

/// Talk for the terminal goes to stderr (through the progress display, which clears its live
/// line first); stdout is for data.
func say(_ text: String) {
    ProgressRenderer.shared.say(text)
}
