import ArgumentParser
import Foundation
import LensCore

/// `lens synth`: writes a synthetic, deterministic MovieLens drop (CSV layout) for tests and
/// benchmarks; the output folder (text) or the summary (json) goes to stdout, progress to stderr.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic MovieLens drop (CSV layout), the same bytes for the same options.",
        discussion: """
            Scales (ratings, users, movies, tags, genome movies): sample = 15,000/150/1,200/400/70, \
            1m = 1,000,000/6,000/20,000/40,000/3,000, 25m = the sizes of ml-25m. \
            dirty.json lists the dirt injected into ratings.csv; README.txt declares the drop date \
            November 21, 2019.
            """
    )

    @Option(name: .long, help: "sample, 1m or 25m.")
    var scale: String = "sample"

    @Option(name: .long, help: "Random seed (the output is a function of scale, seed and dirt rate).")
    var seed: UInt64 = SynthOptions.defaultSeed

    @Option(name: .long, help: "Fraction of rating rows made dirty (duplicates, bad values, orphans), 0...0.5.")
    var dirty: Double = 0

    @Argument(help: "Output folder (created if missing; its drop files are overwritten).")
    var out: String

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            guard let s = SynthScale(rawValue: scale) else {
                throw LensError.config(file: "--scale", line: nil,
                                       message: "unknown scale '\(scale)'; use one of \(SynthScale.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try output.requireNotTabular("lens synth", use: "")
            let options = SynthOptions(scale: s, seed: seed, dirtyRate: dirty)
            let summary = try Synth.run(out: out, options: options) { p in
                say(String(format: "lens synth: %@ %d rows in %.2f s", p.file, p.rows, p.seconds))
            }
            if output.format == .json { try Output.printJSON(summary) } else { print(summary.out) }
        } catch {
            exitWith(error)
        }
    }
}
