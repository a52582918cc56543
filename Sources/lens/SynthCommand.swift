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
            --ratings N (20 ... 10,000,000,000; instead of --scale) makes exactly N ratings and scales users, \
            movies, links, tags and genome movies from ml-25m's proportions, genome movies capped at \
            ml-25m's 13,816 (docs/synth.md). \
            dirty.json lists the dirt injected into ratings.csv; README.txt declares the drop date \
            November 21, 2019.
            """
    )

    @Option(name: .long, help: "sample (the default), 1m or 25m.")
    var scale: String?

    @Option(name: .long, help: ArgumentHelp("Rating rows to make, every other count in ml-25m's proportions (instead of --scale).",
                                            valueName: "N"))
    var ratings: String?

    @Option(name: .long, help: "Random seed (the output is a function of the size, seed and dirt rate).")
    var seed: UInt64 = SynthOptions.defaultSeed

    @Option(name: .long, help: "Fraction of rating rows made dirty (duplicates, bad values, orphans), 0...0.5.")
    var dirty: Double = 0

    @Argument(help: "Output folder (created if missing; its drop files are overwritten).")
    var out: String

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            try output.requireNotTabular("lens synth", use: "")
            let options: SynthOptions
            switch (scale, ratings) {
            case (.some, .some):
                throw LensError.config(file: "--ratings", line: nil,
                                       message: "give either --scale (a preset) or --ratings (any size), not both")
            case (_, .some(let text)):
                let size = try SynthProportions.size(ratings: try Self.ratingCount(text))
                options = SynthOptions(size: size, scaleName: "custom", seed: seed, dirtyRate: dirty)
            case (let name, nil):
                let name = name ?? SynthScale.sample.rawValue
                guard let s = SynthScale(rawValue: name) else {
                    throw LensError.config(file: "--scale", line: nil,
                                           message: "unknown scale '\(name)'; use one of \(SynthScale.allCases.map(\.rawValue).joined(separator: ", ")), or --ratings N")
                }
                options = SynthOptions(scale: s, seed: seed, dirtyRate: dirty)
            }
            let summary = try Synth.run(out: out, options: options) { p in
                say(String(format: "lens synth: %@ %d rows in %.2f s", p.file, p.rows, p.seconds))
            }
            if output.format == .json { try Output.printJSON(summary) } else { print(summary.out) }
        } catch {
            exitWith(error)
        }
    }

    /// `--ratings`: a whole number, digits optionally grouped with `_` or `,` (50_000_000).
    static func ratingCount(_ text: String) throws -> Int {
        let digits = text.filter { $0 != "_" && $0 != "," }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw LensError.config(file: "--ratings", line: nil,
                                   message: "'\(text)' is not a number of ratings; give a whole number such as 50000000 or 50_000_000")
        }
        guard let n = Int(digits) else {  // too many digits for an Int
            throw LensError.config(file: "--ratings", line: nil, message: "must be between \(SynthProportions.minRatings) and \(SynthProportions.maxRatings) ratings, got \(text)")
        }
        return n
    }
}
