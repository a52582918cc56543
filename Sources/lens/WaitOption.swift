import ArgumentParser
import Foundation
import LensCore

/// `--wait [SECONDS]` of the writing commands: wait for another writer to release the
/// warehouse lock instead of failing at once. A bare `--wait` waits as long as it takes
/// (`Lens.main` spells it `--wait=forever` for the parser, which has no optional values).
struct WaitOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Wait for another lens writer to release the warehouse (SECONDS, or no value: as long as it takes).",
        valueName: "seconds"))
    var wait: WaitSeconds?

    /// Applies the wait to `options`, with a line on stderr every few seconds of waiting.
    func apply(to options: inout RunOptions) {
        guard let wait else { return }
        options.lockWaitSeconds = wait.seconds
        options.onLockWait = { w in
            let limit = w.limitSeconds.isFinite ? String(format: " of %.0f s", w.limitSeconds) : ""
            say(String(format: "lens: waiting %.0f s%@ for the warehouse lock held by %@", w.waitedSeconds, limit, w.holders))
        }
    }

    /// Turns a bare `--wait` (no number after it) into `--wait=forever`.
    static func spellOutBareWait(_ arguments: [String]) -> [String] {
        var out: [String] = []
        for (i, a) in arguments.enumerated() {
            if a == "--wait" {
                let next = i + 1 < arguments.count ? arguments[i + 1] : nil
                if next.flatMap(Double.init) == nil { out.append("--wait=forever"); continue }
            }
            out.append(a)
        }
        return out
    }
}

struct WaitSeconds: ExpressibleByArgument {
    var seconds: Double
    init?(argument: String) {
        if argument == "forever" { seconds = .infinity; return }
        guard let s = Double(argument), s >= 0, s.isFinite else { return nil }
        seconds = s
    }
}
