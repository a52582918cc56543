import Foundation

/// How stage 4 compresses the Parquet files (`parquet.codec`).
public enum ParquetCompression: String, Sendable, CaseIterable {
    case zstd
    /// Uncompressed pages (larger files, faster to write and read).
    case none
}

/// Every parameter of a pipeline run, read from a pipeline file (`pipelines/movielens.toml`)
/// and then overridden by command-line flags. Defaults are PIPELINE.md's.
public struct PipelineConfig: Sendable, Equatable {
    /// The pipeline's name (recorded in the catalog).
    public var name = "movielens"
    /// Drop date override (YYYY-MM-DD); nil = README "generated on", else newest file date.
    public var dropDate: String?
    /// Rating bounds for capping.
    public var ratingMin = 0.5
    public var ratingMax = 5.0
    /// Earliest plausible rating time (epoch seconds, UTC); 1995-01-01.
    public var ratedAtMin: Int64 = 788_918_400
    /// Days after the drop date still accepted as a rating time.
    public var ratedAtMaxDaysAfterDrop = 1
    /// Split fractions and buffer batch count (PIPELINE.md stage 2).
    public var trainFraction = 0.70
    public var testFraction = 0.20
    public var bufferBatches = 5
    /// Stage 3 parameters.
    public var pcaComponents = 64
    public var movieCountQuantile = 0.90
    public var userCountQuantile = 0.99
    /// Stage 4 parameters.
    public var outDir = "out"
    public var codec = ParquetCompression.zstd
    public var zstdLevel = 3
    public var rowGroupRows = 1_048_576
    /// Stage 5 parameters.
    public var currentSchema = "movielens"
    public var versionSchemaPrefix = "lens_v"
    public var catalogSchema = "lens_catalog"
    public var holdBackBuffer = false
    public var keepVersions = 3
    /// When `lens drift` and `lens report` raise a drift alert (`[drift]`; flags override).
    public var drift = DriftThresholds()
    /// When a cleaned drop may not be published (`[guards]`; flags override).
    public var guards = PublishGuards()
    /// How publishing waits for analysts' locks (`[publish]`; `--publish-lock-deadline` overrides).
    public var publish = PublishLockPolicy()

    public init() {}

    /// Reads a pipeline file. Throws `LensError.config` for unreadable files, unknown keys,
    /// wrong types and out-of-range values, naming the file and key.
    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)
        else {
            throw LensError.config(file: path, line: nil, message: "cannot read the pipeline file (check the path given to --pipeline)")
        }
        return try parse(text: text, file: path)
    }

    /// Parses pipeline-file text; see `load(path:)`.
    public static func parse(text: String, file: String) throws -> PipelineConfig {
        let toml = try TOMLReader(text: text, file: file)
        var c = PipelineConfig()
        var unknown = Set(toml.values.keys)
        func take(_ key: String) -> TOMLValue? {
            unknown.remove(key)
            return toml.values[key]
        }
        func bad(_ key: String, _ expected: String) -> LensError {
            .config(file: file, line: nil, message: "'\(key)' must be \(expected)")
        }
        func string(_ key: String, _ apply: (String) -> Void) throws {
            guard let v = take(key) else { return }
            guard case .string(let s) = v else { throw bad(key, "a string") }
            apply(s)
        }
        func double(_ key: String, _ apply: (Double) -> Void) throws {
            guard let v = take(key) else { return }
            switch v {
            case .float(let d): apply(d)
            case .integer(let i): apply(Double(i))
            default: throw bad(key, "a number")
            }
        }
        func int(_ key: String, _ apply: (Int) -> Void) throws {
            guard let v = take(key) else { return }
            guard case .integer(let i) = v else { throw bad(key, "a whole number") }
            apply(Int(i))
        }
        func bool(_ key: String, _ apply: (Bool) -> Void) throws {
            guard let v = take(key) else { return }
            guard case .bool(let b) = v else { throw bad(key, "true or false") }
            apply(b)
        }
        try string("pipeline.name") { c.name = $0 }
        try string("ingest.drop_date") { c.dropDate = $0.isEmpty ? nil : $0 }
        try double("clean.rating_min") { c.ratingMin = $0 }
        try double("clean.rating_max") { c.ratingMax = $0 }
        var minDate: String?
        try string("clean.rated_at_min") { minDate = $0 }
        if let minDate {
            guard let t = epochSeconds(isoDate: minDate) else { throw bad("clean.rated_at_min", "a date YYYY-MM-DD") }
            c.ratedAtMin = t
        }
        try int("clean.rated_at_max_days_after_drop") { c.ratedAtMaxDaysAfterDrop = $0 }
        try double("split.train_fraction") { c.trainFraction = $0 }
        try double("split.test_fraction") { c.testFraction = $0 }
        try int("split.buffer_batches") { c.bufferBatches = $0 }
        try int("features.pca_components") { c.pcaComponents = $0 }
        try double("features.movie_count_quantile") { c.movieCountQuantile = $0 }
        try double("features.user_count_quantile") { c.userCountQuantile = $0 }
        try string("parquet.out") { c.outDir = $0 }
        var codec: String?
        try string("parquet.codec") { codec = $0 }
        if let codec {
            guard let known = ParquetCompression(rawValue: codec) else {
                throw LensError.config(file: file, line: nil, message: "parquet.codec must be \"zstd\" or \"none\"")
            }
            c.codec = known
        }
        try int("parquet.zstd_level") { c.zstdLevel = $0 }
        try int("parquet.row_group_rows") { c.rowGroupRows = $0 }
        try string("warehouse.current_schema") { c.currentSchema = $0 }
        try string("warehouse.version_schema_prefix") { c.versionSchemaPrefix = $0 }
        try string("warehouse.catalog_schema") { c.catalogSchema = $0 }
        try bool("warehouse.hold_back_buffer") { c.holdBackBuffer = $0 }
        try int("warehouse.keep_versions") { c.keepVersions = $0 }
        try double("drift.rating_ks") { c.drift.ratingKS = $0 }
        try double("drift.genre_psi") { c.drift.genrePSI = $0 }
        try double("drift.activity_psi") { c.drift.activityPSI = $0 }
        try double("drift.alpha") { c.drift.alpha = $0 }
        try double("guards.max_rejected_share") { c.guards.maxRejectedShare = $0 }
        try double("guards.min_ratings_share_of_current") { c.guards.minRatingsShareOfCurrent = $0 }
        try int("publish.lock_timeout_ms") { c.publish.lockTimeoutMilliseconds = $0 }
        try double("publish.lock_deadline_seconds") { c.publish.deadlineSeconds = $0 }
        _ = take("pipeline.description")
        if let first = unknown.sorted().first {
            throw LensError.config(file: file, line: nil, message: "unknown key '\(first)' (see docs/pipeline.md for the keys)")
        }
        try c.validate(file: file)
        return c
    }

    /// Checks ranges that would make a run meaningless. Throws `LensError.config`.
    public func validate(file: String = "pipeline") throws {
        func fail(_ m: String) -> LensError { .config(file: file, line: nil, message: m) }
        guard trainFraction > 0, testFraction >= 0, trainFraction + testFraction <= 1 else {
            throw fail("split fractions must satisfy 0 < train, 0 <= test, train + test <= 1")
        }
        guard bufferBatches >= 1 else { throw fail("split.buffer_batches must be at least 1") }
        guard ratingMin < ratingMax else { throw fail("clean.rating_min must be below clean.rating_max") }
        guard pcaComponents >= 1 else { throw fail("features.pca_components must be at least 1") }
        guard (1...22).contains(zstdLevel) else { throw fail("parquet.zstd_level must be 1...22") }
        guard (1...1_048_576).contains(rowGroupRows) else { throw fail("parquet.row_group_rows must be 1...1048576") }
        for (key, name) in [("warehouse.current_schema", currentSchema), ("warehouse.version_schema_prefix", versionSchemaPrefix),
                            ("warehouse.catalog_schema", catalogSchema)] {
            guard isPlainIdentifier(name) else { throw fail("\(key) must be a lower-case SQL identifier ([a-z_][a-z0-9_]*)") }
        }
        guard keepVersions >= 1 else { throw fail("warehouse.keep_versions must be at least 1") }
        if let dropDate, epochSeconds(isoDate: dropDate) == nil {
            throw fail("ingest.drop_date must be a date YYYY-MM-DD")
        }
        try drift.validate(source: file)
        try guards.validate(source: file)
        try publish.validate(source: file)
    }

    /// The split fractions as exact rationals (hundred-thousandths), so that
    /// floor(0.7 n) is computed in integers as the contract's Fraction(7, 10) is.
    public var splitNumerators: (train: Int, test: Int, denominator: Int) {
        let d = 100_000
        return (Int((trainFraction * Double(d)).rounded()), Int((testFraction * Double(d)).rounded()), d)
    }
}

/// True for `[a-z_][a-z0-9_]*`: names lens interpolates into SQL as identifiers.
public func isPlainIdentifier(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) } && s.count <= 48
}

/// Epoch seconds of 00:00 UTC on an ISO date `YYYY-MM-DD`; nil when malformed.
public func epochSeconds(isoDate: String) -> Int64? {
    let parts = isoDate.split(separator: "-")
    guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
          (1...12).contains(m), (1...31).contains(d), parts[0].count == 4
    else { return nil }
    return daysFromCivil(year: y, month: m, day: d) * 86_400
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm).
public func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return Int64(era * 146_097 + doe - 719_468)
}
