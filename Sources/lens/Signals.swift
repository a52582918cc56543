import Dispatch
import Foundation
import LensCore

/// SIGINT and SIGTERM during a writing command (`run`, `load`, `append`): the work runs on the
/// main thread and cannot stop at any instant, so the handler (on a dispatch queue) undoes what
/// it leaves instead: it ends the run's database backends (the server rolls the load back, the
/// previous version stays current), records the run as interrupted, removes lens's own
/// `<out>.partial`, says so on stderr and exits 130 (SIGINT) or 143 (SIGTERM), as shells expect.
/// A second signal while that happens ends the process at once.
enum InterruptHandling {
    /// Kept so that the sources live as long as the process.
    // nonisolated(unsafe): only `install` touches it, called once on the main thread before any
    // signal source exists.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let handling = NSLock()
    // nonisolated(unsafe): read and written only with `handling` locked.
    nonisolated(unsafe) private static var started = false

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)  // delivered to the dispatch source instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handle(sig) }
            source.resume()
            sources.append(source)
        }
    }

    private static func handle(_ sig: Int32) {
        let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
        let first = handling.withLock { () -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { _exit(128 + sig) }
        say("lens: \(name) received: stopping, rolling back what this run started ...")
        let outcome = InterruptCleanup.shared.cleanUp(reason: "interrupted by \(name)")
        for partial in outcome.removedPartials { say("lens: removed the unfinished export \(partial)") }
        if let run = outcome.runId {
            if outcome.runMarked {
                say("lens: run \(run) recorded as interrupted; its load was rolled back and the previous version stays current")
            } else if let problem = outcome.problem {
                say("lens: could not record run \(run) as interrupted (\(problem)); the next lens command marks it")
            }
        }
        _exit(128 + sig)
    }
}
