/// The `q` quantile of `sorted` (ascending, no NaN), interpolated linearly between the two
/// nearest order statistics: numpy's default `method="linear"` (Hyndman & Fan method 7), which
/// pandas' `Series.quantile`, polars' `quantile(q, "linear")` and DuckDB's `quantile_cont` also
/// compute. The peers in `bench/peers/` use it for the stats thresholds, so this reproduces
/// numpy bit for bit, including its rounding:
///
/// - the virtual index is `h = (n - 1) * q`; at or beyond the last index the result is the
///   last value;
/// - with `a = sorted[floor(h)]`, `b = sorted[floor(h) + 1]` and `t = h - floor(h)`, the value
///   is `a + (b - a) * t` when `t < 0.5` and `b - (b - a) * (1 - t)` otherwise (numpy's
///   `_lerp`, which is exact at both ends and monotone).
///
/// Returns NaN for an empty array (numpy raises there; a stats table of no rows has no
/// threshold). `q` is clamped to [0, 1]; the caller is expected to pass a literal such as
/// 0.9 or 0.99. The array is not checked for order: sort it first.
public func quantileLinear(_ sorted: [Double], _ q: Double) -> Double {
    let n = sorted.count
    if n == 0 { return .nan }
    let h = Double(n - 1) * min(max(q, 0), 1)
    if h >= Double(n - 1) { return sorted[n - 1] }
    let lo = h.rounded(.down)
    let i = Int(lo)
    let a = sorted[i]
    let b = sorted[i + 1]
    let t = h - lo
    let diff = b - a
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}
