import ArgumentParser

/// `--quiet` of the commands that report progress (run, load, append): no progress line and no
/// stage lines on stderr; errors, warnings and the summary still print.
struct QuietOption: ParsableArguments {
    @Flag(name: .long, help: "No progress on stderr (errors, warnings and the summary still print).")
    var quiet = false

    /// Silences the progress display when `--quiet` was given.
    func apply() {
        if quiet { ProgressRenderer.shared.silence() }
    }
}
