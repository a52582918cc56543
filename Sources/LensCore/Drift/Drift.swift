import Foundation
import PGClient

/// When a drift metric raises an alert. Defaults, and why, in docs/analysts.md ("Drift").
///
/// Ratings arrive clustered by user (a batch of 2,016 ratings of ml-latest-small holds 16 users,
/// one of whom gave 83% of them), so a metric's size alone says little about a small batch: the
/// rating and user-activity alerts also need the difference to be significant at `alpha` given
/// the batch's effective sample size (ratings for the KS test, users for the activity mix).
public struct DriftThresholds: Sendable, Codable, Equatable {
    /// Kolmogorov–Smirnov statistic D of the rating distribution (0..1): alert when above and
    /// its p-value is below `alpha`.
    public var ratingKS: Double
    /// Population stability index of the genre mix: alert when above.
    public var genrePSI: Double
    /// Population stability index of the user-activity mix: alert when above and its
    /// chi-square p-value is below `alpha`.
    public var activityPSI: Double
    /// Significance level of the rating and activity alerts (0 < alpha <= 1; 1 = size only).
    public var alpha: Double
    /// KS 0.1 (the share of ratings at or below some half star moves by 10 points); PSI 0.25, the
    /// usual "significant shift"; alpha 0.001 (10 gated tests per drop of 5 batches: about a 1%
    /// chance of any alert on a drop with no drift).
    public init(ratingKS: Double = 0.1, genrePSI: Double = 0.25, activityPSI: Double = 0.25, alpha: Double = 0.001) {
        self.ratingKS = ratingKS
        self.genrePSI = genrePSI
        self.activityPSI = activityPSI
        self.alpha = alpha
    }
    enum CodingKeys: String, CodingKey {
        case ratingKS = "rating_ks", genrePSI = "genre_psi", activityPSI = "activity_psi", alpha
    }

    /// Throws `LensError.config` naming `source` (a flag or the pipeline file) when a threshold
    /// is negative or not finite, or alpha is outside (0, 1].
    public func validate(source: String) throws {
        for (key, v) in [("rating_ks", ratingKS), ("genre_psi", genrePSI), ("activity_psi", activityPSI)] where !(v >= 0 && v.isFinite) {
            throw LensError.config(file: source, line: nil, message: "drift.\(key) must be a number >= 0, got \(v)")
        }
        guard alpha > 0, alpha <= 1 else {
            throw LensError.config(file: source, line: nil, message: "drift.alpha must be in (0, 1], got \(alpha)")
        }
    }
}

/// One metric of one buffer batch against train.
public struct DriftMetric: Sendable, Codable, Equatable {
    /// rating_ks | genre_psi | activity_psi
    public var metric: String
    public var value: Double
    public var threshold: Double
    /// rating_ks, activity_psi: value > threshold and pValue < alpha; genre_psi: value > threshold.
    public var alert: Bool
    /// rating_ks: the asymptotic KS p-value with both sizes divided by their design effect;
    /// activity_psi: the chi-square p-value of the activity mix with users as the sample;
    /// nil for genre_psi.
    public var pValue: Double?
    enum CodingKeys: String, CodingKey {
        case metric, value, threshold, alert, pValue = "p_value"
    }
}

/// How one buffer batch compares with train.
public struct BatchDrift: Sendable, Codable, Equatable {
    public var batch: Int
    public var nRatings: Int
    /// Users with a rating in the batch, and Kish's effective number of them (N² / Σ m²).
    public var nUsers: Int
    public var effectiveUsers: Double
    /// Ratings divided by the design effect: what the KS p-value counts the batch as.
    public var effectiveRatings: Double
    public var metrics: [DriftMetric]
    /// The batch's ratings per half star (0.5 ... 5.0), for charts.
    public var ratingCounts: [Int]
    public func metric(_ name: String) -> DriftMetric? { metrics.first { $0.metric == name } }
    enum CodingKeys: String, CodingKey {
        case batch, nRatings = "n_ratings", nUsers = "n_users", effectiveUsers = "effective_users",
             effectiveRatings = "effective_ratings", metrics, ratingCounts = "rating_counts"
    }
}

/// What `lens drift` found.
public struct DriftReport: Sendable, Codable, Equatable {
    public var version: Int?
    public var thresholds: DriftThresholds
    public var trainRatings: Int
    public var trainUsers: Int
    public var trainEffectiveUsers: Double
    public var trainEffectiveRatings: Double
    /// The intra-user correlation of train's ratings, behind every design effect.
    public var ratingICC: Double
    /// Train ratings per half star (0.5 ... 5.0).
    public var trainRatingCounts: [Int]
    public var batches: [BatchDrift]
    enum CodingKeys: String, CodingKey {
        case version, thresholds, trainRatings = "train_ratings", trainUsers = "train_users",
             trainEffectiveUsers = "train_effective_users", trainEffectiveRatings = "train_effective_ratings",
             ratingICC = "rating_icc", trainRatingCounts = "train_rating_counts", batches
    }
    /// Every metric that raised an alert, as (batch, metric).
    public var alerts: [(batch: Int, metric: DriftMetric)] {
        batches.flatMap { b in b.metrics.filter(\.alert).map { (b.batch, $0) } }
    }

    public static func == (l: DriftReport, r: DriftReport) -> Bool {
        l.version == r.version && l.thresholds == r.thresholds && l.trainRatings == r.trainRatings
            && l.trainUsers == r.trainUsers && l.trainEffectiveUsers == r.trainEffectiveUsers
            && l.trainEffectiveRatings == r.trainEffectiveRatings && l.ratingICC == r.ratingICC
            && l.trainRatingCounts == r.trainRatingCounts && l.batches == r.batches
    }
}

/// Drift of the buffer batches (new data arriving) against train: rating distribution
/// (two-sample KS), genre mix and user-activity mix (population stability index). Ratings
/// cluster by user, so the p-values use effective sample sizes: for the KS test each sample's
/// ratings divided by its design effect (from the intra-user correlation of train's ratings),
/// for the activity mix (an attribute of the user, the same for all of a user's ratings) Kish's
/// effective number of users. Counts come from `sql/drift/*.sql`; the statistics are computed
/// here (`DriftStatistics`).
public enum Drift {
    /// The half-star grid, in order.
    public static let halfStars: [String] = (1...10).map { String(format: "%.1f", Double($0) / 2) }

    /// Compares every buffer batch (loaded in ratings or held back in ratings_buffer) of the
    /// version `current` shows with its train split. Reads only. A version without buffer
    /// rows gives no batches. Throws `LensError.database` when a pull fails.
    public static func compute(conn: PGConnection, sql: SQLFiles, current: String, thresholds: DriftThresholds = .init(),
                               version: Int? = nil) throws -> DriftReport {
        func pull(_ file: String) throws -> PGRows {
            do {
                return try conn.query(try sql.text("drift/\(file)", ["current": current]))
            } catch let e as LensError {
                throw e
            } catch {
                throw LensError.database(message: "sql/drift/\(file) failed: \(error)")
            }
        }
        // batch -> bin -> count
        func table(_ rows: PGRows, bin: Int, count: Int) -> [Int: [String: Int]] {
            var t: [Int: [String: Int]] = [:]
            for row in rows.rows {
                guard let b = row[0].flatMap({ Int($0) }), let key = row[bin], let n = row[count].flatMap({ Int($0) }) else { continue }
                t[b, default: [:]][key, default: 0] += n
            }
            return t
        }
        let ratings = table(try pull("rating_counts.sql"), bin: 1, count: 2)
        let genres = table(try pull("genre_counts.sql"), bin: 1, count: 2)
        let activity = table(try pull("activity_counts.sql"), bin: 1, count: 3)
        var clusters: [Int: DriftStatistics.UserClusters] = [:]
        for row in try pull("user_clusters.sql").rows {
            guard let b = row[0].flatMap({ Int($0) }) else { continue }
            func d(_ i: Int) -> Double { row[i].flatMap { Double($0) } ?? 0 }
            clusters[b] = .init(users: Int(d(1)), ratings: Int(d(2)), sumSquaredCounts: d(3), sumRatings: d(4),
                                sumSquaredRatings: d(5), sumUserSquaredSumsOverCounts: d(6))
        }
        let none = DriftStatistics.UserClusters(users: 0, ratings: 0, sumSquaredCounts: 0, sumRatings: 0, sumSquaredRatings: 0,
                                                sumUserSquaredSumsOverCounts: 0)
        func vector(_ t: [String: Int]?, _ bins: [String]) -> [Int] { bins.map { t?[$0] ?? 0 } }
        let genreBins = Set(genres.values.flatMap(\.keys)).sorted()
        let activityBins = ["1-19", "20-49", "50-99", "100-199", "200-499", "500-999", "1000+"]
        let train = vector(ratings[0], halfStars)
        let trainClusters = clusters[0] ?? none
        let rho = DriftStatistics.intraclassCorrelation(trainClusters)
        let trainActivity = vector(activity[0], activityBins)
        var batches: [BatchDrift] = []
        for b in Set(ratings.keys).subtracting([0]).sorted() {
            let counts = vector(ratings[b], halfStars)
            let c = clusters[b] ?? none
            let ks = DriftStatistics.kolmogorovSmirnov(train, counts, effectiveSizes: (trainClusters.effectiveRatings(rho: rho),
                                                                                        c.effectiveRatings(rho: rho)))
            let g = DriftStatistics.populationStabilityIndex(expected: vector(genres[0], genreBins), actual: vector(genres[b], genreBins))
            let batchActivity = vector(activity[b], activityBins)
            let a = DriftStatistics.populationStabilityIndex(expected: trainActivity, actual: batchActivity)
            let aTest = DriftStatistics.homogeneity(expected: trainActivity, expectedSize: trainClusters.effectiveUsers,
                                                    actual: batchActivity, actualSize: c.effectiveUsers)
            batches.append(BatchDrift(batch: b, nRatings: counts.reduce(0, +), nUsers: c.users, effectiveUsers: c.effectiveUsers,
                                      effectiveRatings: c.effectiveRatings(rho: rho), metrics: [
                DriftMetric(metric: "rating_ks", value: ks.statistic, threshold: thresholds.ratingKS,
                            alert: ks.statistic > thresholds.ratingKS && ks.pValue < thresholds.alpha, pValue: ks.pValue),
                DriftMetric(metric: "genre_psi", value: g, threshold: thresholds.genrePSI, alert: g > thresholds.genrePSI),
                DriftMetric(metric: "activity_psi", value: a, threshold: thresholds.activityPSI,
                            alert: a > thresholds.activityPSI && aTest.pValue < thresholds.alpha, pValue: aTest.pValue),
            ], ratingCounts: counts))
        }
        return DriftReport(version: version, thresholds: thresholds, trainRatings: train.reduce(0, +), trainUsers: trainClusters.users,
                           trainEffectiveUsers: trainClusters.effectiveUsers, trainEffectiveRatings: trainClusters.effectiveRatings(rho: rho),
                           ratingICC: rho, trainRatingCounts: train, batches: batches)
    }

    /// Replaces the alerts of `report.version` in `{{catalog}}.drift_alerts` with the report's
    /// (creating the table when missing), in one transaction. Returns how many were written.
    public static func recordAlerts(_ report: DriftReport, conn: PGConnection, sql: SQLFiles, catalog: String) throws -> Int {
        guard let version = report.version else {
            throw LensError.internal(message: "recordAlerts needs the report's version")
        }
        do {
            try conn.transaction {
                try conn.execute(try sql.text("catalog/drift_schema.sql", ["catalog": catalog]))
                _ = try conn.query(try sql.text("catalog/delete_drift_alerts.sql", ["catalog": catalog]), [String(version)])
                let insert = try sql.text("catalog/insert_drift_alert.sql", ["catalog": catalog])
                for (batch, m) in report.alerts {
                    _ = try conn.query(insert, [String(version), String(batch), m.metric, String(m.value), String(m.threshold),
                                                m.pValue.map { String($0) }, m.pValue == nil ? nil : String(report.thresholds.alpha)])
                }
            }
            return report.alerts.count
        } catch {
            if error is LensError { throw error }
            throw LensError.database(message: "cannot record drift alerts: \(error)")
        }
    }
}

/// `lens drift`: compute drift for the current version and record its alerts.
public enum DriftTask {
    /// Throws `LensError.database` when the database cannot be reached or no version is loaded.
    public static func run(database: String?, config: PipelineConfig, thresholds: DriftThresholds,
                           record: Bool = true) throws -> DriftReport {
        let sql = try SQLFiles.locate()
        let conn = try DatabaseTarget.resolve(explicit: database).connect()
        defer { conn.close() }
        do {
            let catalog = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
            try catalog.ensureSchema()
            guard let (version, _, _) = try catalog.currentVersion() else {
                throw LensError.database(message: "no version is loaded yet; load one with `lens run --source DROP`")
            }
            let report = try Drift.compute(conn: conn, sql: sql, current: config.currentSchema, thresholds: thresholds,
                                           version: version)
            if record { _ = try Drift.recordAlerts(report, conn: conn, sql: sql, catalog: config.catalogSchema) }
            return report
        } catch let e as LensError {
            throw e
        } catch {
            throw LensError.database(message: "\(error)")
        }
    }
}
