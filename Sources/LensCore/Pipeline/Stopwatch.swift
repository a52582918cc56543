import Foundation

extension Duration {
    /// The duration in seconds, as stage timings and the catalog record them.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Times the stages of one command: reports each as started and finished, and keeps the seconds
/// (and, when asked, the peak resident memory) per stage for the result and the catalog.
final class Stopwatch {
    private(set) var stageSeconds: [String: Double] = [:]
    /// Peak resident memory (MB) per stage; empty unless `samplesMemory`.
    private(set) var stagePeakMB: [String: Double] = [:]
    private let progress: (ProgressEvent) -> Void
    private let samplesMemory: Bool
    private let killPoints: Bool

    /// `killPoints`: a test may stop the process before each stage (`before_<stage>`, see KillPoint).
    init(progress: @escaping (ProgressEvent) -> Void, samplesMemory: Bool = false, killPoints: Bool = false) {
        self.progress = progress
        self.samplesMemory = samplesMemory
        self.killPoints = killPoints
    }

    /// Runs `body` as `stage`; `detail` describes its value on the stage's finished line.
    func time<T>(_ stage: Stage, _ detail: (T) -> String = { _ in "" }, _ body: () throws -> T) rethrows -> T {
        if killPoints { KillPoint.check("before_" + stage.rawValue) }
        progress(.stageStarted(stage))
        let start = ContinuousClock.now
        let memory = samplesMemory ? ResidentMemorySampler() : nil
        let value: T
        do { value = try body() } catch { _ = memory?.stop(); throw error }
        if let memory { stagePeakMB[stage.rawValue] = (Double(memory.stop()) / 1_048_576).rounded() }
        let s = (ContinuousClock.now - start).seconds
        stageSeconds[stage.rawValue] = s
        progress(.stageFinished(stage, seconds: s, detail: detail(value)))
        return value
    }

    /// Reports `stages` as skipped: their inputs and parameters are unchanged.
    func skip(_ stages: Stage...) {
        for stage in stages { progress(.stageSkipped(stage)) }
    }
}
