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

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            let (config, _) = try loadPipelineConfig(pipeline)
            let items = Doctor.run(.init(database: database, source: source.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                         out: out ?? config.outDir))
            switch output.format {
            case .json:
                struct Report: Encodable { var ok: Bool; var items: [Doctor.Item] }
                try Output.printJSON(Report(ok: items.allSatisfy(\.ok), items: items))
            case .csv, .markdown:
                let rows = items.map { i -> [String?] in [i.name, i.ok ? "t" : "f", i.detail, i.fix] }
                print(QueryRunner.render(QueryResult(columns: ["item", "ok", "detail", "fix"], rows: rows, columnTypes: [25, 16, 25, 25]),
                                         format: output.format))
            case .text:
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
