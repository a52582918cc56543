import Foundation
import LensCore

/// Progress per stage on stderr.
func renderProgress(_ event: ProgressEvent) {
    switch event {
    case .stageStarted(let stage):
        say("lens: \(stage) ...")
    case .stageFinished(let stage, let seconds, let detail):
        say(String(format: "lens: %@ done in %.2f s%@", stage, seconds, detail.isEmpty ? "" : " (\(detail))"))
    case .stageSkipped(let stage):
        say("lens: \(stage) skipped (inputs and parameters unchanged)")
    case .tableLoaded(let table, let rows):
        say("lens:   copied \(rows) rows into \(table)")
    case .publishWaiting(let wait) where !wait.terminated.isEmpty:
        say(String(format: "lens: publish deadline (%.0f s) passed: terminated %@ (--terminate-blockers); retrying",
                   wait.deadlineSeconds, wait.terminated.map(\.description).joined(separator: "; ")))
    case .publishWaiting(let wait):
        say(String(format: "lens: publish waiting %.1f s of %.0f s for locks held by %@; analyst queries keep running, retrying",
                   wait.waitedSeconds, wait.deadlineSeconds, wait.blockersText))
    }
}
