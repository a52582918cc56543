import ArgumentParser
import Foundation
import LensCore

/// `lens doctor`: what a run needs, each item ok or a problem with its fix; exit 0 when all
/// are ok, 1 otherwise. Creates nothing (a reader of the warehouse).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the libraries, the PostgreSQL server, the output folder and the memory a run needs."
    )

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @Option(name: .long, help: "The drop you mean to run: its memory estimate and --out are checked against it.")
    var source: String?

    @Option(name: .long, help: "The output folder of the run (default: parquet.out of the pipeline file).")
    var out: String?

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "text or json (json goes to stdout).")
    var format: String = "text"

    func run() throws {
        do {
            guard format == "text" || format == "json" else {
                throw LensError.config(file: "--format", line: nil, message: "must be text or json")
            }
            let (config, _) = try loadPipelineConfig(pipeline)
            let items = Doctor.run(.init(database: database, source: source.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                         out: out ?? config.outDir))
            if format == "json" {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                struct Report: Encodable { var ok: Bool; var items: [Doctor.Item] }
                print(String(decoding: try enc.encode(Report(ok: items.allSatisfy(\.ok), items: items)), as: UTF8.self))
            } else {
                for item in items {
                    print((item.ok ? "ok       " : "PROBLEM  ") + item.name.padding(toLength: 18, withPad: " ", startingAt: 0) + item.detail
                          + (item.fix.map { "\n         " + String(repeating: " ", count: 18) + "fix: " + $0 } ?? ""))
                }
            }
            if !items.allSatisfy(\.ok) { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }
}
