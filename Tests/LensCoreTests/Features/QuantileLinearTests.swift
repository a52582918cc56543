import Foundation
import XCTest

@testable import LensCore

/// `quantileLinear` is numpy's default quantile, bit for bit (the stats thresholds m and q99
/// depend on it).
final class QuantileLinearTests: XCTestCase {
    /// Protects parity with numpy on fixed arrays, values printed by
    /// `repr(float(np.quantile(np.array(a, dtype=float), q)))` with numpy 2.4.6; the 0.99 and
    /// 0.97-type cases take numpy's `b - (b - a)(1 - t)` branch, the others `a + (b - a)t`.
    func testMatchesNumpyOnFixedArrays() {
        let cases: [([Double], Double, Double)] = [
            ([1, 2, 2, 3], 0.9, 2.7),
            ([1], 0.9, 1.0),
            ([1, 3], 0.5, 2.0),
            ([0, 1], 0.99, 0.99),
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1),
            ([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.99, 91.81000000000002),
            ([1, 1, 1, 2, 2, 3, 40, 41, 41, 1000], 0.9, 136.89999999999966),
            ([2, 7], 0.25, 3.25),
            ([5, 5, 5], 0.7, 5.0),
            ([0.1, 0.2, 0.7], 0.35, 0.17),
            ([1, 3], 1.0, 3.0),
            ([1, 3], 0.0, 1.0),
            ([1, 2, 3, 3, 6], 0.99, 5.88),
            ([1, 1, 1, 2, 3, 3, 4], 0.9, 3.4000000000000004),
        ]
        for (a, q, expected) in cases {
            XCTAssertEqual(quantileLinear(a, q), expected, "np.quantile(\(a), \(q))")
        }
    }

    /// Protects the edge: no values, no quantile (NaN rather than a crash).
    func testEmptyArrayGivesNaN() {
        XCTAssertTrue(quantileLinear([], 0.9).isNaN)
    }

    /// Protects parity with numpy on many random count arrays (ties included) and quantiles,
    /// compared exactly: numpy computes them in the same python run.
    func testMatchesNumpyOnRandomCountArrays() throws {
        var rng = FeaturesTestSupport.Random(state: 99)
        var arrays: [[Double]] = []
        var qs: [Double] = []
        for i in 0..<300 {
            let n = 1 + rng.below(60)
            arrays.append((0..<n).map { _ in Double(1 + rng.below(i % 3 == 0 ? 5 : 5000)) }.sorted())
            qs.append([0.9, 0.99, 0.5, 0.25, rng.uniform()][i % 5])
        }
        let dir = try FeaturesTestSupport.temporaryDirectory(self)
        let input = dir.appendingPathComponent("arrays.txt")
        // One line per case: q, then the values (repr-exact text both ways).
        try arrays.indices.map { i in ([qs[i]] + arrays[i]).map { "\($0)" }.joined(separator: " ") }
            .joined(separator: "\n").write(to: input, atomically: false, encoding: .utf8)
        let out = try FeaturesTestSupport.python(
            """
            import sys, numpy as np
            for line in open(sys.argv[1]):
                v = [float(x) for x in line.split()]
                print(repr(float(np.quantile(np.array(v[1:]), v[0]))))
            """, [input.path])
        let expected = out.split(separator: "\n").map { Double(String($0))! }
        XCTAssertEqual(expected.count, arrays.count)
        for i in arrays.indices {
            XCTAssertEqual(quantileLinear(arrays[i], qs[i]), expected[i], "np.quantile(\(arrays[i]), \(qs[i]))")
        }
    }
}
