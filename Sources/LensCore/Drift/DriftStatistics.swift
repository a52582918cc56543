import Foundation

/// The statistics `lens drift` uses, on binned counts. Pure functions, no database.
public enum DriftStatistics {
    /// The two-sample Kolmogorov–Smirnov statistic of two samples given as counts over the same
    /// ordered bins (e.g. the ten half stars), and its asymptotic two-sided p-value.
    ///
    /// D = max over bins of |F_a(x) - F_b(x)|, the empirical CDFs evaluated at each bin's upper
    /// edge; for samples that only take the bin values this equals D computed on the raw samples.
    /// p = Q_KS(sqrt(n m / (n + m)) D), Kolmogorov's limiting distribution (scipy's
    /// `kstwobign.sf`); conservative for discrete data. Returns (0, 1) when a sample is empty.
    ///
    /// `effectiveSizes` replaces the two sample sizes in the p-value (not in D): for clustered
    /// samples, each sample's size divided by its design effect (`effectiveSize`).
    public static func kolmogorovSmirnov(_ a: [Int], _ b: [Int], effectiveSizes: (Double, Double)? = nil)
        -> (statistic: Double, pValue: Double)
    {
        precondition(a.count == b.count, "both samples need the same bins")
        let n = a.reduce(0, +), m = b.reduce(0, +)
        guard n > 0, m > 0 else { return (0, 1) }
        var ca = 0, cb = 0
        var d = 0.0
        for i in a.indices {
            ca += a[i]
            cb += b[i]
            d = max(d, abs(Double(ca) / Double(n) - Double(cb) / Double(m)))
        }
        let (ne, me) = effectiveSizes ?? (Double(n), Double(m))
        guard ne > 0, me > 0 else { return (d, 1) }
        let en = (ne * me / (ne + me)).squareRoot()
        return (d, kolmogorovSurvival(en * d))
    }

    /// Q_KS(λ) = P(K > λ) for Kolmogorov's distribution K:
    /// 2 Σ_{j≥1} (-1)^{j-1} exp(-2 j² λ²) for λ ≥ 1, and 1 − (√(2π)/λ) Σ_{j≥1} exp(−(2j−1)² π² / (8λ²))
    /// below (both series converge fast where they are used). In [0, 1].
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        guard lambda > 0 else { return 1 }
        if lambda < 1 {
            var sum = 0.0
            for j in 1...100 {
                let k = Double(2 * j - 1)
                let term = exp(-k * k * Double.pi * Double.pi / (8 * lambda * lambda))
                sum += term
                if term < 1e-17 { break }
            }
            return min(1, max(0, 1 - (2 * Double.pi).squareRoot() / lambda * sum))
        }
        var sum = 0.0
        for j in 1...100 {
            let jj = Double(j)
            let term = exp(-2 * jj * jj * lambda * lambda)
            sum += (j % 2 == 1 ? term : -term)
            if term < 1e-17 { break }
        }
        return min(1, max(0, 2 * sum))
    }

    /// The share floor of `populationStabilityIndex`: a bin empty on one side counts as this share,
    /// so the index stays finite (a bin at 30% against an empty one adds 0.3 · ln(0.3/1e-4) ≈ 2.4).
    public static let psiFloor = 1e-4

    /// The population stability index of `actual` against `expected`, counts over the same bins:
    /// Σ (a_i − e_i) · ln(a_i / e_i) over the bins' shares, each share at least `psiFloor`;
    /// bins empty on both sides add nothing. 0 = the same mix; by convention below 0.1 is no
    /// shift, 0.1–0.25 a moderate one, above 0.25 a significant one. 0 when a side is empty.
    public static func populationStabilityIndex(expected: [Int], actual: [Int]) -> Double {
        precondition(expected.count == actual.count, "both sides need the same bins")
        let ne = expected.reduce(0, +), na = actual.reduce(0, +)
        guard ne > 0, na > 0 else { return 0 }
        var psi = 0.0
        for i in expected.indices where expected[i] > 0 || actual[i] > 0 {
            let e = max(Double(expected[i]) / Double(ne), psiFloor)
            let a = max(Double(actual[i]) / Double(na), psiFloor)
            psi += (a - e) * log(a / e)
        }
        return psi
    }

    // MARK: - Samples clustered by user

    /// A sample of ratings grouped by user (train, or one buffer batch), as the sums
    /// `sql/drift/user_clusters.sql` returns: enough for the intra-user correlation and the
    /// design effect without pulling one row per user.
    public struct UserClusters: Sendable, Codable, Equatable {
        /// Users with at least one rating in the sample (k) and ratings (N = Σ m_u).
        public var users: Int
        public var ratings: Int
        /// Σ m_u² over users, m_u = the user's ratings in the sample.
        public var sumSquaredCounts: Double
        /// Σ y and Σ y² over ratings.
        public var sumRatings: Double
        public var sumSquaredRatings: Double
        /// Σ S_u² / m_u over users, S_u = the sum of the user's ratings.
        public var sumUserSquaredSumsOverCounts: Double

        public init(users: Int, ratings: Int, sumSquaredCounts: Double, sumRatings: Double, sumSquaredRatings: Double,
                    sumUserSquaredSumsOverCounts: Double) {
            self.users = users
            self.ratings = ratings
            self.sumSquaredCounts = sumSquaredCounts
            self.sumRatings = sumRatings
            self.sumSquaredRatings = sumSquaredRatings
            self.sumUserSquaredSumsOverCounts = sumUserSquaredSumsOverCounts
        }

        /// Kish's effective number of users, N² / Σ m_u²: 16 users of whom one gave 83% of the
        /// ratings count as 1.4. The sample size of a comparison of a per-user attribute.
        public var effectiveUsers: Double { sumSquaredCounts > 0 ? Double(ratings) * Double(ratings) / sumSquaredCounts : 0 }

        /// The design effect of a rating-level statistic when ratings of one user correlate by
        /// `rho`: 1 + (Σ m_u² / N − 1) ρ (Kish, unequal cluster sizes).
        public func designEffect(rho: Double) -> Double {
            guard ratings > 0 else { return 1 }
            return 1 + (sumSquaredCounts / Double(ratings) - 1) * rho
        }

        /// N / design effect: as many independent ratings as the sample is worth.
        public func effectiveRatings(rho: Double) -> Double { Double(ratings) / designEffect(rho: rho) }
    }

    /// The intra-user correlation of ratings (the intraclass correlation with users as classes),
    /// by the one-way ANOVA estimator for unequal class sizes:
    /// ρ = (MSB − MSW) / (MSB + (m₀ − 1) MSW), m₀ = (N − Σ m_u² / N) / (k − 1), clamped to [0, 1].
    /// 0 when it cannot be estimated (fewer than 2 users, or one rating per user).
    public static func intraclassCorrelation(_ c: UserClusters) -> Double {
        let k = Double(c.users), n = Double(c.ratings)
        guard c.users >= 2, c.ratings > c.users else { return 0 }
        let ssb = c.sumUserSquaredSumsOverCounts - c.sumRatings * c.sumRatings / n
        let ssw = c.sumSquaredRatings - c.sumUserSquaredSumsOverCounts
        let msb = ssb / (k - 1), msw = max(ssw, 0) / (n - k)
        let m0 = (n - c.sumSquaredCounts / n) / (k - 1)
        let denominator = msb + (m0 - 1) * msw
        guard denominator > 0, denominator.isFinite else { return 0 }
        return min(1, max(0, (msb - msw) / denominator))
    }

    /// Pearson's chi-square test that two samples, given as counts over the same bins, come from
    /// one distribution, with each sample's size replaced by an effective size (its shares times
    /// that size; Rao and Scott's first-order correction for clustered samples). Bins empty on
    /// both sides are left out; df = bins used − 1. Returns (X², p); (0, 1) when a side is empty.
    public static func homogeneity(expected: [Int], expectedSize: Double, actual: [Int], actualSize: Double)
        -> (statistic: Double, pValue: Double)
    {
        precondition(expected.count == actual.count, "both sides need the same bins")
        let ne = Double(expected.reduce(0, +)), na = Double(actual.reduce(0, +))
        guard ne > 0, na > 0, expectedSize > 0, actualSize > 0 else { return (0, 1) }
        var x2 = 0.0
        var bins = 0
        for i in expected.indices where expected[i] > 0 || actual[i] > 0 {
            let e = Double(expected[i]) / ne, a = Double(actual[i]) / na
            let pooled = (expectedSize * e + actualSize * a) / (expectedSize + actualSize)
            x2 += (a - e) * (a - e) / pooled
            bins += 1
        }
        x2 *= expectedSize * actualSize / (expectedSize + actualSize)
        guard bins >= 2 else { return (0, 1) }
        return (x2, chiSquareSurvival(x2, degreesOfFreedom: bins - 1))
    }

    /// P(X > x) for X chi-square with `df` degrees of freedom (scipy's `chi2.sf`): the
    /// regularized upper incomplete gamma function Q(df/2, x/2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "a chi-square distribution needs at least one degree of freedom")
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        return regularizedUpperGamma(Double(df) / 2, x / 2)
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): the series of P(a, x) below x < a + 1, Lentz's continued
    /// fraction for Q above (Numerical Recipes §6.2), each where it converges fast and keeps
    /// relative precision.
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let logPrefix = -x + a * log(x) - lgamma(a)
        let eps = 1e-16
        if x < a + 1 {
            var ap = a, del = 1 / a, sum = 1 / a
            for _ in 0..<10_000 {
                ap += 1
                del *= x / ap
                sum += del
                if abs(del) < abs(sum) * eps { break }
            }
            return min(1, max(0, 1 - sum * exp(logPrefix)))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return min(1, max(0, exp(logPrefix) * h))
    }
}
