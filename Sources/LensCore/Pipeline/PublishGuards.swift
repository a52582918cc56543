import Foundation

/// The `[guards]` of the pipeline file: when a cleaned drop may not become the current version
/// (nor replace the export in `--out`). Each guard has a flag that publishes anyway; the
/// catalog's run row records which were used.
public struct PublishGuards: Sendable, Codable, Equatable {
    /// Refuse when any input file's rejected + orphaned lines exceed this share of its data lines.
    /// 1%: GroupLens's own drops have none (ml-latest-small, ml-100k, the 25m/32m files), so any
    /// share is a damaged or mis-encoded file; 1% lets a few hand-edited lines through while a
    /// movies.csv saved as Latin-1 (3% of ml-latest-small's movies, 292 lines) trips it.
    public var maxRejectedShare = 0.01
    /// Refuse when the drop's clean ratings are fewer than this share of the current version's.
    public var minRatingsShareOfCurrent = 0.5
    public init() {}

    public func validate(source: String) throws {
        guard (0...1).contains(maxRejectedShare) else {
            throw LensError.config(file: source, line: nil, message: "guards.max_rejected_share must be within 0...1")
        }
        guard (0...1).contains(minRatingsShareOfCurrent) else {
            throw LensError.config(file: source, line: nil, message: "guards.min_ratings_share_of_current must be within 0...1")
        }
    }
}

/// A guard the user overrode with a flag; recorded in the catalog's `runs.guard_overrides`.
public enum GuardOverride: String, Codable, Sendable, CaseIterable, Comparable {
    /// `--allow-empty`: publish a drop with no clean ratings.
    case allowEmpty = "allow_empty"
    /// `--accept-rejects`: publish although a file's rejected share is over the guard.
    case acceptRejects = "accept_rejects"
    /// `--allow-shrink`: publish although the ratings shrink below the guard's share of the current version.
    case allowShrink = "allow_shrink"

    public var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One guard that a drop trips.
public struct GuardFailure: Sendable, Equatable, CustomStringConvertible {
    public var override: GuardOverride
    public var message: String
    public var description: String { message + " (\(override.flag) publishes anyway)" }
}

extension PublishGuards {
    /// The guards a cleaned drop trips (empty when it may be published). `currentRatings` is the
    /// current version's ratings (or the previous export's, without a database), nil for a first load.
    public func failures(reconciliation: [FileReconciliation], quarantine: [QuarantineRow], cleanRatings: Int,
                         currentRatings: Int?) -> [GuardFailure] {
        var failures: [GuardFailure] = []
        if cleanRatings == 0 {
            let file = reconciliation.first { ["ratings.csv", "u.data", "ratings.dat"].contains($0.file) }
            let detail = file.map { "\($0.file) has \($0.linesRead) data line\($0.linesRead == 1 ? "" : "s"), none of them clean" } ?? "no ratings file"
            failures.append(GuardFailure(override: .allowEmpty, message: "the drop has no clean ratings (\(detail))"))
        }
        let reasonsByFile = Dictionary(grouping: quarantine, by: \.file)
        for file in reconciliation where file.linesRead > 0 {
            let lost = file.rejected + file.orphans
            let share = Double(lost) / Double(file.linesRead)
            guard share > maxRejectedShare else { continue }
            let reasons = Dictionary(grouping: reasonsByFile[file.file] ?? [], by: \.reason).mapValues(\.count)
                .sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }.prefix(3)
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            failures.append(GuardFailure(override: .acceptRejects, message: String(
                format: "%@: %d of %d lines rejected or orphaned (%.2f%%, over the %.2f%% guard); top reasons: %@",
                file.file, lost, file.linesRead, share * 100, maxRejectedShare * 100, reasons.isEmpty ? "-" : reasons)))
        }
        if let currentRatings, currentRatings > 0, cleanRatings > 0,
           Double(cleanRatings) < Double(currentRatings) * minRatingsShareOfCurrent {
            failures.append(GuardFailure(override: .allowShrink, message: String(
                format: "the drop has %d clean ratings, %.1f%% of the current version's %d (the guard is %.0f%%)",
                cleanRatings, Double(cleanRatings) / Double(currentRatings) * 100, currentRatings, minRatingsShareOfCurrent * 100)))
        }
        return failures
    }

    /// Throws `LensError.check` (exit 1) naming every tripped guard not overridden; returns the
    /// overrides that were used (a flag given for a guard that did not trip is not "used").
    public func enforce(reconciliation: [FileReconciliation], quarantine: [QuarantineRow], cleanRatings: Int,
                        currentRatings: Int?, overrides: Set<GuardOverride>) throws -> [GuardOverride] {
        let tripped = failures(reconciliation: reconciliation, quarantine: quarantine, cleanRatings: cleanRatings,
                               currentRatings: currentRatings)
        let blocking = tripped.filter { !overrides.contains($0.override) }
        if !blocking.isEmpty {
            throw LensError.check(name: "publish_guard", message: "not published; "
                + blocking.map(\.description).joined(separator: "; ")
                + "; the current version and the export in --out are unchanged")
        }
        return Set(tripped.map(\.override)).sorted()
    }
}
