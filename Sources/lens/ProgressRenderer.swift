#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import LensCore

/// Progress per stage on stderr.
func renderProgress(_ event: ProgressEvent) {
    ProgressRenderer.shared.handle(event)
}

/// The one writer of talk on stderr: the progress display (`ProgressDisplay`: a live line on a
/// terminal, a plain line every few seconds elsewhere, nothing with `--quiet`) and every other
/// line (`say`), which first takes the live line off so that it starts at column 0. Events come
/// from the load's lanes and its monitor thread as well as the main thread, hence the lock.
// @unchecked Sendable: every mutable field is read and written under `lock`.
final class ProgressRenderer: @unchecked Sendable {
    static let shared = ProgressRenderer(mode: ProgressRenderer.modeForStderr())

    /// Seconds between two plain lines of a step when stderr is not a terminal.
    static let intervalVariable = "LENS_PROGRESS_INTERVAL"

    private let lock = NSLock()
    private var display: ProgressDisplay
    private let start = ContinuousClock.now
    /// Shows a stage without steps is alive (`ProgressDisplay.heartbeat`).
    private var ticker: DispatchSourceTimer?

    init(mode: ProgressDisplay.Mode) {
        display = ProgressDisplay(mode: mode)
        guard mode != .quiet else { return }
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock { self.write(self.display.heartbeat(now: self.seconds())) }
        }
        timer.resume()
        ticker = timer
    }

    /// A live line when stderr is a terminal, else plain lines every LENS_PROGRESS_INTERVAL
    /// seconds (default 5).
    static func modeForStderr() -> ProgressDisplay.Mode {
        if isatty(2) == 1 {
            var size = winsize()
            if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return .live(width: Int(size.ws_col)) }
            return .live(width: ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) } ?? 80)
        }
        let interval = ProcessInfo.processInfo.environment[intervalVariable].flatMap { Double($0) }.map { max($0, 0) }
        return .plain(interval: interval ?? 5)
    }

    /// `--quiet`: no progress and no stage lines from here on; warnings and errors still print.
    func silence() {
        lock.withLock { display = ProgressDisplay(mode: .quiet) }
    }

    func handle(_ event: ProgressEvent) {
        lock.withLock {
            let now = seconds()
            let quiet = display.mode == .quiet
            var out = ""
            switch event {
            case .progress(let step, let done, let total, let unit):
                out = display.update(step: step, done: done, total: total, unit: unit, now: now)
            case .stepFinished(let step):
                out = display.end(step: step, now: now)
            case .stageStarted(let s):
                let stage = s.rawValue
                out = display.endAll()
                display.beginStage(stage, now: now)
                if !quiet { out += display.message("lens: \(stage) ...", now: now) }
            case .stageFinished(let s, let seconds, let detail):
                let stage = s.rawValue
                out = display.endAll()
                display.beginStage(nil, now: now)
                if !quiet {
                    out += display.message(String(format: "lens: %@ done in %.2f s%@", stage, seconds,
                                                  detail.isEmpty ? "" : " (\(detail))"), now: now)
                }
            case .stageSkipped(let s):
                let stage = s.rawValue
                if !quiet { out = display.message("lens: \(stage) skipped (inputs and parameters unchanged)", now: now) }
            case .tableLoaded(let table, let rows):
                out = display.end(step: "copy \(table)", now: now)
                if !quiet { out += display.message("lens:   copied \(rows) rows into \(table)", now: now) }
            case .publishWaiting(let wait) where !wait.terminated.isEmpty:
                out = display.message(String(format: "lens: publish deadline (%.0f s) passed: terminated %@ (--terminate-blockers); retrying",
                                             wait.deadlineSeconds, wait.terminated.map(\.description).joined(separator: "; ")), now: now)
            case .publishWaiting(let wait):
                out = display.message(String(format: "lens: publish waiting %.1f s of %.0f s for locks held by %@; analyst queries keep running, retrying",
                                             wait.waitedSeconds, wait.deadlineSeconds, wait.blockersText), now: now)
            }
            write(out)
        }
    }

    /// A line of talk (a warning, the summary), below the live line's place.
    func say(_ text: String) {
        lock.withLock { write(display.message(text, now: seconds())) }
    }

    /// Takes the live line off the terminal before text that bypasses `say` (a fatal error).
    func finishLine() {
        lock.withLock { write(display.clearLive()) }
    }

    private func seconds() -> Double {
        let d = ContinuousClock.now - start
        return d.seconds
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
