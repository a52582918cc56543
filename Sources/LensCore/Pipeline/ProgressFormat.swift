import Foundation

/// What a `ProgressEvent.progress` counts.
public enum ProgressUnit: String, Sendable, Equatable {
    case rows, bytes, blocks, tuples, checks
    /// Nothing countable (a publish, a key validation): the step shows how long it has run.
    case none
}

/// The text of the progress display, as a pure state machine: given the reports and the time
/// they arrive, which bytes go to stderr. No I/O and no lock (the CLI's renderer holds both), so
/// the formatting and the throttling are tested without a terminal or a clock.
///
/// On a terminal one live line lists the active steps and is redrawn in place (`\r` + clear to
/// the end of the line), at most every `redrawInterval` seconds, cut to the width so that it
/// never wraps (a wrapped line cannot be redrawn with `\r`). Elsewhere (a log file, a pipe) each
/// step gets a plain line every `interval` seconds of its run, none for a step shorter than that.
public struct ProgressDisplay {
    public enum Mode: Equatable, Sendable {
        /// stderr is a terminal `width` columns wide.
        case live(width: Int)
        /// stderr is a file or a pipe: a line per step every `interval` seconds.
        case plain(interval: Double)
        /// `--quiet`: no progress at all (messages still go through).
        case quiet
    }

    struct Step {
        var name: String
        var done: Int64
        var total: Int64?
        var unit: ProgressUnit
        /// When the step was first reported (its elapsed time counts from here).
        var started: Double
        /// Where the rate is measured from: reset when the unit or total changes (an index build
        /// going from scanning blocks to loading tuples).
        var rateStart: Double
        var rateBase: Int64
        var lastPrinted: Double
    }

    public let mode: Mode
    /// Seconds between two redraws of the live line.
    public var redrawInterval = 0.1
    /// The stage the steps belong to (the prefix of each line), set by the renderer.
    public var stage: String?
    var steps: [Step] = []
    /// True while a live line (without its newline) is on the terminal.
    var liveShown = false
    var lastDraw = -Double.infinity
    /// The steps changed since the live line was last drawn (the heartbeat draws them).
    var dirty = false
    /// Where a step just left the line (position, time): a step renamed by its next phase
    /// (`index ratings_pkey (scanning table)` -> `(sorting live tuples)`) ends and starts in one
    /// instant, and takes the same place, so that the line does not shuffle.
    var vacated: (index: Int, at: Double)?
    /// When the stage began, and when its last heartbeat line was printed.
    var stageStart = 0.0
    var lastHeartbeat = 0.0

    public init(mode: Mode) {
        self.mode = mode
    }

    /// The bytes for one report of `step` at `now` (seconds on a monotonic clock); "" when
    /// throttled. A step whose `done` reaches its `total` ends.
    public mutating func update(step name: String, done: Int64, total: Int64?, unit: ProgressUnit, now: Double) -> String {
        if mode == .quiet { return "" }
        let i: Int
        if let found = steps.firstIndex(where: { $0.name == name }) {
            i = found
            if steps[i].unit != unit || steps[i].total != total {
                steps[i].rateStart = now
                steps[i].rateBase = done
            }
            steps[i].done = done
            steps[i].total = total
            steps[i].unit = unit
        } else {
            let step = Step(name: name, done: done, total: total, unit: unit, started: now, rateStart: now, rateBase: done,
                            lastPrinted: now)
            if let v = vacated, now - v.at < 0.05, v.index <= steps.count {
                steps.insert(step, at: v.index)
                i = v.index
            } else {
                steps.append(step)
                i = steps.count - 1
            }
            vacated = nil
        }
        let finished = total.map { done >= $0 } ?? false
        switch mode {
        case .quiet:
            return ""
        case .plain(let interval):
            var out = ""
            if now - steps[i].lastPrinted >= interval {
                out = line(steps[i], now: now) + "\n"
                steps[i].lastPrinted = now
            }
            if finished { steps.remove(at: i) }
            return out
        case .live:
            if finished {
                steps.remove(at: i)
                vacated = (i, now)
            }
            return redraw(now: now, force: false)
        }
    }

    /// Ends a step (its table is copied, its phase is over); the live line loses it at its next
    /// redraw (an event or the heartbeat), or at once when it was the last step.
    public mutating func end(step name: String, now: Double) -> String {
        guard let i = steps.firstIndex(where: { $0.name == name }) else { return "" }
        steps.remove(at: i)
        vacated = (i, now)
        if steps.isEmpty { return clearLive() }
        dirty = true
        return ""
    }

    /// A stage begins at `now`: the prefix of its steps' lines, and what `heartbeat` shows.
    public mutating func beginStage(_ name: String?, now: Double) {
        stage = name
        stageStart = now
        lastHeartbeat = now
    }

    /// Called every half second or so: a stage that reports no step (the split, the features)
    /// still shows it is alive, with its elapsed seconds: on the live line (redrawn at most once
    /// a second), or as a plain line every `interval` seconds (at least one).
    public mutating func heartbeat(now: Double) -> String {
        if dirty && !steps.isEmpty { return redraw(now: now, force: false) }
        guard let stage, steps.isEmpty else { return "" }
        let text = "lens: \(stage) " + Self.duration((now - stageStart).rounded(.down))
        switch mode {
        case .quiet:
            return ""
        case .live:
            guard now - lastDraw >= 1 else { return "" }
            lastDraw = now
            liveShown = true
            return "\r\u{1B}[K" + text
        case .plain(let interval):
            guard now - lastHeartbeat >= max(interval, 1) else { return "" }
            lastHeartbeat = now
            return text + "\n"
        }
    }

    /// Ends every step (a stage boundary) and takes the live line off the terminal.
    public mutating func endAll() -> String {
        steps.removeAll()
        return clearLive()
    }

    /// A line of other text (a stage line, a warning): the live line is cleared first, so that
    /// the text starts at column 0, and drawn again below it.
    public mutating func message(_ text: String, now: Double) -> String {
        let out = clearLive() + text + "\n"
        return out + redraw(now: now, force: true)
    }

    /// Takes the live line off the terminal (before an exit); the steps stay.
    public mutating func clearLive() -> String {
        guard liveShown else { return "" }
        liveShown = false
        return "\r\u{1B}[K"
    }

    /// The live line at `now`, unless drawn less than `redrawInterval` ago (`force` draws anyway).
    mutating func redraw(now: Double, force: Bool) -> String {
        guard case .live(let width) = mode else { return "" }
        if steps.isEmpty { return clearLive() }
        if !force && now - lastDraw < redrawInterval {
            dirty = true
            return ""
        }
        lastDraw = now
        dirty = false
        var text = (stage.map { "lens: \($0): " } ?? "lens: ") + steps.map { Self.describe($0, now: now) }.joined(separator: " | ")
        let room = max(width - 1, 10)
        if text.count > room { text = String(text.prefix(room - 1)) + "…" }
        liveShown = true
        return "\r\u{1B}[K" + text
    }

    func line(_ step: Step, now: Double) -> String {
        (stage.map { "lens: \($0): " } ?? "lens: ") + Self.describe(step, now: now)
    }

    static func describe(_ s: Step, now: Double) -> String {
        describe(step: s.name, done: s.done, total: s.total, unit: s.unit, elapsed: now - s.started,
                 rateDone: s.done - s.rateBase, rateSeconds: now - s.rateStart)
    }

    /// One step as text: `copy ratings 412,000 / 1,000,000 rows (41%), 824k rows/s, ETA 1 s`.
    /// The rate (and so the ETA) shows once it is measured over a second or more; a step with
    /// nothing to count shows its elapsed seconds; checks show no rate, only the ETA.
    public static func describe(step: String, done: Int64, total: Int64?, unit: ProgressUnit, elapsed: Double,
                                rateDone: Int64? = nil, rateSeconds: Double? = nil) -> String {
        if unit == .none { return "\(step) \(duration(elapsed.rounded(.down)))" }
        var text = step + " "
        if unit == .bytes {
            text += total.map { "\(megabytes(done)) / \(megabytes($0)) MB" } ?? "\(megabytes(done)) MB"
        } else {
            text += grouped(done) + (total.map { " / " + grouped($0) } ?? "") + " " + unit.rawValue
        }
        if let total, total > 0 {
            text += String(format: " (%d%%)", Int(min(100, Double(done) * 100 / Double(total))))
        }
        let seconds = rateSeconds ?? elapsed
        let counted = rateDone ?? done
        guard seconds >= 1, counted > 0 else { return text }
        let rate = Double(counted) / seconds
        switch unit {
        case .bytes: text += String(format: ", %.0f MB/s", rate / 1_000_000)
        case .checks, .none: break
        default: text += ", \(compact(rate)) \(unit.rawValue)/s"
        }
        if let total, total > done { text += ", ETA " + duration(Double(total - done) / rate) }
        return text
    }

    /// 1234567 -> "1,234,567".
    public static func grouped(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A rate: "950", "824k", "1.2M".
    static func compact(_ x: Double) -> String {
        if x >= 999_500 { return String(format: "%.1fM", x / 1_000_000) }
        if x >= 999.5 { return String(format: "%.0fk", x / 1000) }
        return String(format: "%.0f", x)
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_000_000)
    }

    /// Seconds as "14 s" or "2 min 05 s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up).clamped(0, 359_999))
        return s < 60 ? "\(s) s" : String(format: "%d min %02d s", s / 60, s % 60)
    }
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
