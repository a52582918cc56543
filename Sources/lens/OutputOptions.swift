import ArgumentParser
import Foundation
import LensCore
import PGClient

// The output contract (README "Output contract"): results on stdout in the format asked for,
// talk on stderr, one JSON document per invocation, one exit code per kind of failure.

extension OutputFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// `--format text|json|csv|markdown` of every command that prints a result.
struct FormatOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "How the result is printed on stdout: text, json (one document, typed values), csv or markdown.",
        valueName: "format"))
    var format: OutputFormat = .text

    /// Remembers the format, so that a failure is printed as JSON too (`exitWith`).
    func validate() throws { Output.format = format }

    /// Refuses csv and markdown for a result that is not one table (exit 64).
    func requireNotTabular(_ command: String, use alternative: String) throws {
        if format.isTabular {
            throw LensError.config(file: "--format", line: nil,
                                   message: "\(command) prints no single table, so it has no \(format.rawValue) form; use --format text or json\(alternative.isEmpty ? "" : ", or \(alternative)")")
        }
    }
}

/// What the process prints on stdout.
enum Output {
    /// The `--format` of this invocation (text until a command's options are validated).
    // nonisolated(unsafe): written once, by the command's `validate()` on the main thread before
    // the command runs; read by the main thread (the command and its error exit).
    nonisolated(unsafe) static var format: OutputFormat = .text
    /// Set once a JSON result is on stdout: a failure found after it (a run that does not
    /// reconcile) is then said on stderr only, so stdout stays one document.
    // nonisolated(unsafe): written and read only by the main thread (printing the result, the
    // error exit).
    nonisolated(unsafe) static var printedJSONResult = false

    /// A result as one pretty-printed JSON document with sorted keys, on stdout.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try enc.encode(value), as: UTF8.self))
        printedJSONResult = true
    }

    /// Whether the raw arguments ask for JSON (for errors found before the options are validated).
    static func asksForJSON(_ arguments: [String]) -> Bool {
        if arguments.contains("--format=json") { return true }
        guard let i = arguments.firstIndex(of: "--format"), i + 1 < arguments.count else { return false }
        return arguments[i + 1] == "json"
    }

    /// A failure as the one JSON document of a `--format json` invocation:
    /// `{"error": {"message": ..., "exit_code": 2, "file": ... or null, "line": ... or null}}`.
    static func printErrorJSON(message: String, exitCode: Int32, file: String?, line: Int?) {
        func json(_ s: String?) -> String { s.map(QueryRunner.jsonString) ?? "null" }
        print("""
            {
              "error" : {
                "exit_code" : \(exitCode),
                "file" : \(json(file)),
                "line" : \(line.map(String.init) ?? "null"),
                "message" : \(json(message))
              }
            }
            """)
    }
}

/// The exit code of a failure (README "Exit codes"): 1 a data check failed, 2 could not
/// complete (input, output, database, busy, network), 64 usage or configuration, 70 a bug in
/// lens, which is also what any error lens does not know to expect means.
func exitCode(for error: Error) -> Int32 {
    switch error {
    case let e as LensError:
        switch e {
        case .config: return 64
        case .check: return 1
        case .internal: return 70
        case .input, .output, .database, .busy: return 2
        }
    case let e as FetchError:
        if case .unknownName = e { return 64 }
        return 2
    case is IngestError, is PGError:
        return 2
    default:
        return 70
    }
}

/// The one-line message of a failure (without the `lens: ` prefix) and where it happened.
func describe(_ error: Error) -> (message: String, file: String?, line: Int?) {
    switch error {
    case let e as LensError:
        switch e {
        case .config(let file, let line, _), .input(let file, let line, _): return (e.description, file, line)
        case .output(let path, _): return (e.description, path, nil)
        default: return (e.description, nil, nil)
        }
    case let e as IngestError:
        return (e.description, e.file, e.line)
    case let e as FetchError:
        return (e.description, nil, nil)
    case let e as PGError:
        return ("database: error: \(e)", nil, nil)
    default:
        return ("internal error (a bug in lens, please report it): \(error)", nil, nil)
    }
}
