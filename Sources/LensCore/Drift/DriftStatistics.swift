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
    public static func kolmogorovSmirnov(_ a: [Int], _ b: [Int]) -> (statistic: Double, pValue: Double) {
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
        let en = (Double(n) * Double(m) / Double(n + m)).squareRoot()
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
}
