// The randomness of `lens synth`: a seeded PRNG and the few distributions the generator needs,
// computed with nothing but IEEE-754 +, -, *, / and square root. Those operations are correctly
// rounded on every platform Swift runs on, so a drop generated from one seed is byte-identical on
// any machine. (libm's exp/log/sin/cos are not: their last bit may differ between C libraries,
// which could flip a rounded rating or relevance.)

/// SplitMix64 (Steele, Lea, Flood 2014): turns a seed into well-mixed 64-bit words. Seeds
/// `SynthRNG` streams; the tests' replayable fuzz rounds use it as a `RandomNumberGenerator`.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Named, independent random streams of one generator run. Every stream is a function of
/// (seed, stream, index) only, so chunks of work can be generated on any thread, in any order,
/// and the output is the same for any number of threads.
enum SynthStream: UInt64 {
    case movies = 1, users, ratings, tags, genomeModel, genomeBlock, links, popularity
}

/// xoshiro256** (Blackman, Vigna 2018) with Box-Muller normals.
struct SynthRNG {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The second normal of the last Box-Muller pair, when not used yet.
    private var spare = 0.0
    private var hasSpare = false

    /// The stream `stream` number `index` of the run seeded with `seed`.
    init(seed: UInt64, stream: SynthStream, index: Int = 0) {
        var mix = SplitMix64(state: seed)
        let a = mix.next()
        mix = SplitMix64(state: a ^ (stream.rawValue &* 0xD1B5_4A32_D192_ED03))
        let b = mix.next()
        mix = SplitMix64(state: b ^ (UInt64(index) &* 0xAEF1_7502_108E_F2D9))
        s0 = mix.next()
        s1 = mix.next()
        s2 = mix.next()
        s3 = mix.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one state xoshiro must avoid
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = SynthRNG.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = SynthRNG.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1), 53 random bits.
    @inline(__always)
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<n (n > 0), by Lemire's multiply-shift (bias below 2^-32 for the
    /// sizes used here; exact reproducibility is what matters).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform integer in lo...hi.
    @inline(__always)
    mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + below(hi - lo + 1) }

    /// Standard normal by the Box-Muller transform (both values of a pair are used).
    @inline(__always)
    mutating func normal() -> Double {
        if hasSpare {
            hasSpare = false
            return spare
        }
        let u1 = 1.0 - uniform()  // (0, 1]: log is finite
        let u2 = uniform()
        let r = (-2.0 * DetMath.log(u1)).squareRoot()
        let (s, c) = DetMath.sinCos2Pi(u2)
        spare = r * s
        hasSpare = true
        return r * c
    }

    /// Normal with mean `mean` and standard deviation `sd`.
    @inline(__always)
    mutating func normal(_ mean: Double, _ sd: Double) -> Double { mean + sd * normal() }

    /// Exponential with mean `mean`.
    @inline(__always)
    mutating func exponential(mean: Double) -> Double { -mean * DetMath.log(1.0 - uniform()) }

    /// exp(N(mu, sigma)).
    @inline(__always)
    mutating func lognormal(_ mu: Double, _ sigma: Double) -> Double { DetMath.exp(normal(mu, sigma)) }
}

/// exp, log and sin/cos(2πu) from +, -, *, / only (range reduction + polynomials), accurate to a
/// few ulps — plenty for a generator — and bit-reproducible everywhere.
enum DetMath {
    static let ln2Hi = 6.93147180369123816490e-01  // ln 2, high part (exact in 32 bits)
    static let ln2Lo = 1.90821492927058770002e-10  // ln 2 - ln2Hi
    static let invLn2 = 1.44269504088896338700e+00

    /// Natural logarithm of a positive, finite, normal `x`.
    @inline(__always)
    static func log(_ x: Double) -> Double {
        let bits = x.bitPattern
        var e = Int((bits >> 52) & 0x7FF) - 1023
        var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)  // [1, 2)
        if m > 1.4142135623730951 {
            m *= 0.5
            e += 1
        }
        // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716
        let s = (m - 1.0) / (m + 1.0)
        let z = s * s
        var p = 1.0 / 25.0
        p = p * z + 1.0 / 23.0
        p = p * z + 1.0 / 21.0
        p = p * z + 1.0 / 19.0
        p = p * z + 1.0 / 17.0
        p = p * z + 1.0 / 15.0
        p = p * z + 1.0 / 13.0
        p = p * z + 1.0 / 11.0
        p = p * z + 1.0 / 9.0
        p = p * z + 1.0 / 7.0
        p = p * z + 1.0 / 5.0
        p = p * z + 1.0 / 3.0
        let logM = 2.0 * s + 2.0 * s * (z * p)
        let de = Double(e)
        return de * ln2Hi + (logM + de * ln2Lo)
    }

    /// e^x; 0 below -708, +infinity above 709.
    @inline(__always)
    static func exp(_ x: Double) -> Double {
        if x > 709.0 { return .infinity }
        if x < -708.0 { return 0 }
        let t = x * invLn2
        let n = Double(Int(t < 0 ? t - 0.5 : t + 0.5))  // round half away (no libm call)
        let r = (x - n * ln2Hi) - n * ln2Lo  // |r| <= 0.347
        var p = 1.0 / 6_227_020_800.0  // 1/13!
        p = p * r + 1.0 / 479_001_600.0
        p = p * r + 1.0 / 39_916_800.0
        p = p * r + 1.0 / 3_628_800.0
        p = p * r + 1.0 / 362_880.0
        p = p * r + 1.0 / 40_320.0
        p = p * r + 1.0 / 5_040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        let scale = Double(bitPattern: UInt64(Int(n) + 1023) << 52)  // 2^n, n in [-1022, 1023]
        return p * scale
    }

    /// (sin 2πu, cos 2πu) for u in [0, 1).
    @inline(__always)
    static func sinCos2Pi(_ u: Double) -> (Double, Double) {
        let v = u * 4.0  // exact
        let q = Int(v)
        let a = (v - Double(q)) * 1.5707963267948966  // [0, π/2)
        let a2 = a * a
        // Taylor series to a^21 / a^20: error below 1e-16 on [0, π/2).
        var sp = -1.0 / 51_090_942_171_709_440_000.0  // -1/21!
        sp = sp * a2 + 1.0 / 121_645_100_408_832_000.0
        sp = sp * a2 - 1.0 / 355_687_428_096_000.0
        sp = sp * a2 + 1.0 / 1_307_674_368_000.0
        sp = sp * a2 - 1.0 / 6_227_020_800.0
        sp = sp * a2 + 1.0 / 39_916_800.0
        sp = sp * a2 - 1.0 / 362_880.0
        sp = sp * a2 + 1.0 / 5_040.0
        sp = sp * a2 - 1.0 / 120.0
        sp = sp * a2 + 1.0 / 6.0
        let s = a - a * a2 * sp  // a - a^3/3! + a^5/5! - ...
        var cp = 1.0 / 2_432_902_008_176_640_000.0  // 1/20!
        cp = cp * a2 - 1.0 / 6_402_373_705_728_000.0
        cp = cp * a2 + 1.0 / 20_922_789_888_000.0
        cp = cp * a2 - 1.0 / 87_178_291_200.0
        cp = cp * a2 + 1.0 / 479_001_600.0
        cp = cp * a2 - 1.0 / 3_628_800.0
        cp = cp * a2 + 1.0 / 40_320.0
        cp = cp * a2 - 1.0 / 720.0
        cp = cp * a2 + 1.0 / 24.0
        cp = cp * a2 - 0.5
        let c = 1.0 + a2 * cp
        switch q & 3 {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }
}

/// Walker/Vose alias table: O(1) draws from a fixed discrete distribution (movie popularity).
struct AliasTable {
    /// Probability of keeping slot i and its alias side by side: one cache line per draw.
    struct Slot {
        var probability: Double
        var alias: Int
    }
    private(set) var slots: [Slot]

    /// A table for `weights` (non-negative, not all zero), built in a fixed order.
    init(weights: [Double]) {
        let n = weights.count
        var total = 0.0
        for w in weights { total += w }
        var scaled = weights.map { $0 * Double(n) / total }
        slots = (0..<n).map { Slot(probability: 1.0, alias: $0) }
        var small: [Int] = [], large: [Int] = []
        small.reserveCapacity(n)
        large.reserveCapacity(n)
        for i in 0..<n {
            if scaled[i] < 1.0 { small.append(i) } else { large.append(i) }
        }
        while let s = small.popLast() {
            guard let l = large.last else { break }
            slots[s] = Slot(probability: scaled[s], alias: l)
            scaled[l] = (scaled[l] + scaled[s]) - 1.0
            if scaled[l] < 1.0 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever is left (rounding) keeps probability 1 and aliases itself.
    }

    /// One draw: an index into the weights.
    @inline(__always)
    func draw(_ rng: inout SynthRNG) -> Int {
        let r = rng.next()
        let i = Int(truncatingIfNeeded: ((r >> 32) &* UInt64(slots.count)) >> 32)
        let f = Double(r & 0xFFFF_FFFF) * 0x1.0p-32
        let slot = slots.withUnsafeBufferPointer { $0[i] }
        return f < slot.probability ? i : slot.alias
    }
}
