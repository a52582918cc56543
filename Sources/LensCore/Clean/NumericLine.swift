import Foundation

/// Parsing of the unquoted numeric CSV files (ratings, genome-scores), one raw line at a time,
/// without allocating. A fast path reads the shape every GroupLens file has (`123,45,4.5,964982703`);
/// anything else goes through `classify`, which applies the contract's checks in order and gives
/// either the values or the reject reason.
enum NumericLine {
    /// What a field must hold.
    enum Kind {
        /// A positive 32-bit id (a value above 2^31-1 is unparseable, <= 0 is nonpositive_id).
        case id
        /// A 64-bit integer (epoch seconds).
        case int
        /// A finite decimal.
        case num
    }

    /// Parsed values of one line: integers in `ints`, decimals in `nums`, by field position.
    struct Values {
        var ints: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
        var nums: (Double, Double, Double, Double) = (0, 0, 0, 0)
        func int(_ i: Int) -> Int64 {
            switch i { case 0: return ints.0; case 1: return ints.1; case 2: return ints.2; default: return ints.3 }
        }
        func num(_ i: Int) -> Double {
            switch i { case 0: return nums.0; case 1: return nums.1; case 2: return nums.2; default: return nums.3 }
        }
        mutating func set(_ i: Int, int v: Int64) {
            switch i { case 0: ints.0 = v; case 1: ints.1 = v; case 2: ints.2 = v; default: ints.3 = v }
        }
        mutating func set(_ i: Int, num v: Double) {
            switch i { case 0: nums.0 = v; case 1: nums.1 = v; case 2: nums.2 = v; default: nums.3 = v }
        }
    }

    /// Exact powers of ten: `m / 10^k` with m < 2^53 and k <= 22 is correctly rounded, i.e. what
    /// strtod gives, so the fast path returns the same doubles as a full decimal parser.
    static let pow10: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// Parses a line of fields of `kinds` (at most 4). Returns nil and sets `reason` when the line
    /// is rejected.
    @inline(__always)
    static func parse(_ line: UnsafeRawBufferPointer, kinds: [Kind], separator: UInt8 = UInt8(ascii: ","),
                      into values: inout Values) -> RejectReason? {
        if fastParse(line, kinds: kinds, separator: separator, into: &values) { return nil }
        return classify(line, kinds: kinds, separator: separator, into: &values)
    }

    /// `parse` for ratings lines (`id, id, num, int`), with the fast path written out for that
    /// shape: the generic one loops over `kinds` and dispatches per field, which costs a third
    /// of ingest at 25M lines. Same values and reasons as `parse(_:kinds:separator:into:)`.
    @inline(__always)
    static func parseRating(_ line: UnsafeRawBufferPointer, separator: UInt8, into values: inout Values) -> RejectReason? {
        if let p = line.baseAddress {
            let n = line.count
            var i = 0
            if let user = idField(p, n, &i), i < n, p.load(fromByteOffset: i, as: UInt8.self) == separator {
                i += 1
                if let movie = idField(p, n, &i), i < n, p.load(fromByteOffset: i, as: UInt8.self) == separator {
                    i += 1
                    if let rating = decimalField(p, n, &i), i < n, p.load(fromByteOffset: i, as: UInt8.self) == separator {
                        i += 1
                        if let time = unsignedField(p, n, &i), i == n {
                            values.ints.0 = user
                            values.ints.1 = movie
                            values.nums.2 = rating
                            values.ints.3 = time
                            return nil
                        }
                    }
                }
            }
        }
        return classify(line, kinds: ratingKinds, separator: separator, into: &values)
    }

    /// `parse` for genome-scores lines (`id, id, num`), specialised as `parseRating` is.
    @inline(__always)
    static func parseScore(_ line: UnsafeRawBufferPointer, into values: inout Values) -> RejectReason? {
        let comma = UInt8(ascii: ",")
        if let p = line.baseAddress {
            let n = line.count
            var i = 0
            if let movie = idField(p, n, &i), i < n, p.load(fromByteOffset: i, as: UInt8.self) == comma {
                i += 1
                if let tag = idField(p, n, &i), i < n, p.load(fromByteOffset: i, as: UInt8.self) == comma {
                    i += 1
                    if let relevance = decimalField(p, n, &i), i == n {
                        values.ints.0 = movie
                        values.ints.1 = tag
                        values.nums.2 = relevance
                        return nil
                    }
                }
            }
        }
        return classify(line, kinds: scoreKinds, separator: comma, into: &values)
    }

    /// The fields of a ratings line and of a genome-scores line.
    static let ratingKinds: [Kind] = [.id, .id, .num, .int]
    static let scoreKinds: [Kind] = [.id, .id, .num]

    /// Fast path of one unsigned field from `i`: 1 to 15 digits, stopping at the first other
    /// byte (the caller checks it is the separator or the end). Nil for anything else.
    @inline(__always)
    static func unsignedField(_ p: UnsafeRawPointer, _ n: Int, _ i: inout Int) -> Int64? {
        let start = i
        var v: Int64 = 0
        while i < n {
            let d = p.load(fromByteOffset: i, as: UInt8.self) &- 0x30
            if d > 9 { break }
            v = v &* 10 &+ Int64(d)
            i += 1
        }
        let digits = i - start
        return digits > 0 && digits <= 15 ? v : nil
    }

    /// `unsignedField` that must be a valid id (1 ... 2^31-1).
    @inline(__always)
    static func idField(_ p: UnsafeRawPointer, _ n: Int, _ i: inout Int) -> Int64? {
        guard let v = unsignedField(p, n, &i), v > 0, v <= Int64(Int32.max) else { return nil }
        return v
    }

    /// Fast path of one decimal field from `i`: digits with at most one point, 1 to 15 digits,
    /// as `m / 10^k` (correctly rounded, as strtod). Nil for anything else.
    @inline(__always)
    static func decimalField(_ p: UnsafeRawPointer, _ n: Int, _ i: inout Int) -> Double? {
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = -1
        while i < n {
            let b = p.load(fromByteOffset: i, as: UInt8.self)
            let d = b &- 0x30
            if d <= 9 {
                mantissa = mantissa &* 10 &+ Int64(d)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else if b == UInt8(ascii: "."), fraction < 0 {
                fraction = 0
            } else {
                break
            }
            i += 1
        }
        guard digits > 0, digits <= 15 else { return nil }
        return Double(mantissa) / pow10[max(fraction, 0)]
    }

    /// The common shape: unsigned digits, a decimal with at most 15 significant digits, exact
    /// field count, no blanks. Returns false for anything else (the caller then classifies).
    @inline(__always)
    static func fastParse(_ line: UnsafeRawBufferPointer, kinds: [Kind], separator: UInt8 = UInt8(ascii: ","),
                          into values: inout Values) -> Bool {
        let n = line.count
        var i = 0
        for (f, kind) in kinds.enumerated() {
            var mantissa: Int64 = 0
            var digits = 0
            var fraction = -1
            let start = i
            while i < n {
                let b = line[i]
                if b == separator { break }
                if b >= 0x30 && b <= 0x39 {
                    mantissa = mantissa &* 10 &+ Int64(b &- 0x30)
                    digits += 1
                    if fraction >= 0 { fraction += 1 }
                } else if b == UInt8(ascii: "."), kind == .num, fraction < 0 {
                    fraction = 0
                } else {
                    return false
                }
                i += 1
            }
            if i == start || digits == 0 || digits > 15 { return false }
            switch kind {
            case .id:
                if mantissa <= 0 || mantissa > Int64(Int32.max) { return false }
                values.set(f, int: mantissa)
            case .int:
                values.set(f, int: mantissa)
            case .num:
                let k = max(fraction, 0)
                values.set(f, num: Double(mantissa) / pow10[k])
            }
            if f < kinds.count - 1 {
                if i >= n { return false }  // too few fields
                i += 1  // the comma
            } else if i != n {
                return false  // too many fields
            }
        }
        return true
    }

    /// The contract's classification (`_common.classify_numeric`), in its order:
    /// field_count > blank_field > unparseable > nonpositive_id. Fields may carry surrounding
    /// blanks; integers may carry a sign. Sets `values` and returns nil for a good line.
    /// A NUL byte anywhere is `nul_byte` before all of these (the fast paths never accept one:
    /// it is neither a digit, a point nor a separator, so only this slow path needs to look).
    static func classify(_ line: UnsafeRawBufferPointer, kinds: [Kind], separator: UInt8 = UInt8(ascii: ","),
                         into values: inout Values) -> RejectReason? {
        if NulByte.isIn(line) { return .nulByte }
        var ranges: [Range<Int>] = []
        var start = 0
        for i in 0..<line.count where line[i] == separator {
            ranges.append(start..<i)
            start = i + 1
        }
        ranges.append(start..<line.count)
        guard ranges.count == kinds.count else { return .fieldCount }
        let trimmed = ranges.map { r -> Range<Int> in
            var lo = r.lowerBound
            var hi = r.upperBound
            while lo < hi, isBlank(line[lo]) { lo += 1 }
            while hi > lo, isBlank(line[hi - 1]) { hi -= 1 }
            return lo..<hi
        }
        if trimmed.contains(where: { $0.isEmpty }) { return .blankField }
        var nonpositive = false
        for (f, kind) in kinds.enumerated() {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: line[trimmed[f]]), as: UTF8.self)
            switch kind {
            case .id, .int:
                guard let v = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else { return .unparseable }
                if kind == .id {
                    if v > Int64(Int32.max) { return .unparseable }
                    if v <= 0 { nonpositive = true }
                }
                values.set(f, int: v)
            case .num:
                guard let d = parseDecimal(text), d.isFinite else { return .unparseable }
                values.set(f, num: d)
            }
        }
        return nonpositive ? .nonpositiveId : nil
    }

    /// A decimal as Python's float() reads it (digits, sign, point, exponent); nil otherwise.
    static func parseDecimal(_ text: String) -> Double? {
        let allowed = Set("0123456789+-.eE")
        guard !text.isEmpty, text.allSatisfy({ allowed.contains($0) }) else { return nil }
        return Double(text)
    }

    /// Blanks that Python's str.strip() removes from an ASCII field.
    @inline(__always)
    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
}
