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
            Results go to stdout (--format text|json|csv|markdown), progress and errors to stderr; with --format json \
            a failure prints {"error": {...}} on stdout too.
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
        // Typed JSON timestamps and dates rely on these session settings (libpq sends them
        // at connect); a user's own PGTZ/PGDATESTYLE would change what lens prints.
        setenv("PGTZ", "UTC", 1)
        setenv("PGDATESTYLE", "ISO", 1)
        DatabaseTarget.onPrivateCluster = { say("lens: " + $0) }
        // ArgumentParser's own `main`, plus the JSON error document for a usage error found
        // while parsing (`exitWith` prints it for the errors a command meets).
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            let code = Lens.exitCode(for: error).rawValue
            if code != 0 && Output.asksForJSON(arguments) {
                Output.printErrorJSON(message: Lens.message(for: error), exitCode: code, file: nil, line: nil)
            }
            exit(withError: error)
        }
    }
}

/// Renders a fatal error as one line on stderr (and, with `--format json`, as the invocation's
/// JSON document on stdout) and exits with its documented code (`exitCode(for:)`).
func exitWith(_ error: Error) -> Never {
    ProgressRenderer.shared.finishLine()
    let code = exitCode(for: error)
    let (message, file, line) = describe(error)
    FileHandle.standardError.write(Data("lens: \(message)\n".utf8))
    if Output.format == .json && !Output.printedJSONResult { Output.printErrorJSON(message: message, exitCode: code, file: file, line: line) }
    exit(code)
}

/// Talk for the terminal goes to stderr (through the progress display, which clears its live
/// line first); stdout is for data.
func say(_ text: String) {
    ProgressRenderer.shared.say(text)
}
