import Foundation

/// Small inline SVG charts for the HTML report, drawn by hand: no scripts, no fonts to fetch,
/// nothing but `<svg>` elements that every browser renders offline.
enum SVGChart {
    /// One series of a bar chart.
    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    static let font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""

    // MARK: - Vertical bars

    /// Bars over categories, stacked when there are several series. `tickLabels` (one per
    /// category, nil = none) replaces the category names under the axis, to thin them out;
    /// `valueFormat` renders y ticks.
    static func bars(categories: [String], series: [Series], width: Int = 520, height: Int = 260,
                     tickLabels: [String?]? = nil, yTitle: String = "", valueFormat: (Double) -> String = compact) -> String {
        let left = 56.0, right = 12.0, top = 14.0, bottom = 44.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let totals = categories.indices.map { i in series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) } }
        let ticks = niceTicks(max: totals.max() ?? 0)
        let yMax = ticks.last ?? 1
        var out = open(width, height)
        out += yAxis(ticks: ticks, yMax: yMax, left: left, top: top, plotW: plotW, plotH: plotH, format: valueFormat, title: yTitle)
        let slot = plotW / Double(max(categories.count, 1))
        let barW = max(slot * 0.8, 0.6)
        for (i, category) in categories.enumerated() {
            var y = top + plotH
            let x = left + Double(i) * slot + (slot - barW) / 2
            for s in series {
                let v = s.values.indices.contains(i) ? s.values[i] : 0
                guard v > 0 else { continue }
                let h = v / yMax * plotH
                y -= h
                out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(s.color)\">"
                    + "<title>\(escape(category)) \(escape(s.name)): \(escape(grouped(v)))</title></rect>"
            }
            if let label = tickLabels.map({ $0.indices.contains(i) ? $0[i] : nil }) ?? category {
                let x = left + (Double(i) + 0.5) * slot
                if tickLabels != nil {
                    out += "<line x1=\"\(f(x))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH + 4))\" stroke=\"#888\"/>"
                }
                out += "<text x=\"\(f(x))\" y=\"\(f(top + plotH + 15))\" font-size=\"10\" "
                    + "text-anchor=\"middle\" fill=\"#444\">\(escape(label))</text>"
            }
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#888\"/>"
        if series.count > 1 { out += legend(series.map { ($0.name, $0.color) }, x: left, y: Double(height) - 12) }
        return out + "</svg>"
    }

    // MARK: - Horizontal bars

    /// One horizontal bar per label, longest first as given.
    static func horizontalBars(labels: [String], values: [Double], color: String, width: Int = 520,
                               valueFormat: (Double) -> String = grouped) -> String {
        let rowH = 18.0, left = 120.0, right = 70.0, top = 6.0
        let height = Int(top * 2 + rowH * Double(labels.count))
        let plotW = Double(width) - left - right
        let vMax = max(values.max() ?? 0, 1e-12)
        var out = open(width, height)
        for (i, label) in labels.enumerated() {
            let y = top + Double(i) * rowH
            let w = values[i] / vMax * plotW
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + rowH * 0.68))\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">\(escape(label))</text>"
            out += "<rect x=\"\(f(left))\" y=\"\(f(y + 2))\" width=\"\(f(max(w, 0.5)))\" height=\"\(f(rowH - 4))\" fill=\"\(color)\">"
                + "<title>\(escape(label)): \(escape(grouped(values[i])))</title></rect>"
            out += "<text x=\"\(f(left + w + 4))\" y=\"\(f(y + rowH * 0.68))\" font-size=\"10\" fill=\"#555\">\(escape(valueFormat(values[i])))</text>"
        }
        return out + "</svg>"
    }

    // MARK: - Lines

    /// Polylines over shared categories (e.g. rating shares of train and each batch).
    static func lines(categories: [String], series: [Series], width: Int = 520, height: Int = 240,
                      yTitle: String = "", emphasized: Set<String> = [], valueFormat: (Double) -> String = percent) -> String {
        let left = 56.0, right = 12.0, top = 14.0, bottom = 44.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let ticks = niceTicks(max: series.flatMap(\.values).max() ?? 0)
        let yMax = ticks.last ?? 1
        var out = open(width, height)
        out += yAxis(ticks: ticks, yMax: yMax, left: left, top: top, plotW: plotW, plotH: plotH, format: valueFormat, title: yTitle)
        let step = plotW / Double(max(categories.count - 1, 1))
        for (i, c) in categories.enumerated() {
            out += "<text x=\"\(f(left + Double(i) * step))\" y=\"\(f(top + plotH + 15))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">\(escape(c))</text>"
        }
        for s in series {
            let points = s.values.enumerated().map { "\(f(left + Double($0.offset) * step)),\(f(top + plotH - $0.element / yMax * plotH))" }
            // the reference series first, heavier; an emphasized one (an alert) dashed and heavier
            let strokeWidth = s.name == series.first?.name ? 3 : emphasized.contains(s.name) ? 2.6 : 1.8
            let dash = emphasized.contains(s.name) ? " stroke-dasharray=\"6 3\"" : ""
            out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(strokeWidth)\"\(dash)><title>\(escape(s.name))</title></polyline>"
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#888\"/>"
        out += legend(series.map { ($0.name, $0.color) }, x: left, y: Double(height) - 12)
        return out + "</svg>"
    }

    /// Bars (left axis) with a cumulative line over them (right axis, 0..1): explained variance.
    static func barsWithCumulative(values: [Double], color: String, lineColor: String, width: Int = 520,
                                   height: Int = 240) -> String {
        let left = 56.0, right = 44.0, top = 14.0, bottom = 40.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let ticks = niceTicks(max: values.max() ?? 0)
        let yMax = ticks.last ?? 1
        var out = open(width, height)
        out += yAxis(ticks: ticks, yMax: yMax, left: left, top: top, plotW: plotW, plotH: plotH, format: percent, title: "per component")
        let slot = plotW / Double(max(values.count, 1))
        var cumulative = 0.0
        var points: [String] = []
        for (i, v) in values.enumerated() {
            let h = v / yMax * plotH
            out += "<rect x=\"\(f(left + Double(i) * slot + slot * 0.1))\" y=\"\(f(top + plotH - h))\" width=\"\(f(slot * 0.8))\" height=\"\(f(h))\" fill=\"\(color)\"><title>component \(i + 1): \(escape(percent(v)))</title></rect>"
            cumulative += v
            points.append("\(f(left + (Double(i) + 0.5) * slot)),\(f(top + plotH - min(cumulative, 1) * plotH))")
            if i == 0 || (i + 1) % 8 == 0 {
                out += "<text x=\"\(f(left + (Double(i) + 0.5) * slot))\" y=\"\(f(top + plotH + 15))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">\(i + 1)</text>"
            }
        }
        out += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(lineColor)\" stroke-width=\"2\"/>"
        for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
            out += "<text x=\"\(f(left + plotW + 4))\" y=\"\(f(top + plotH - t * plotH + 3))\" font-size=\"10\" fill=\"\(lineColor)\">\(Int(t * 100))%</text>"
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\" stroke=\"#888\"/>"
        out += legend([("explained variance ratio", color), ("cumulative (right axis)", lineColor)], x: left, y: Double(height) - 8)
        return out + "</svg>"
    }

    // MARK: - Timeline

    /// One row per segment, from `start` to `end` (epoch seconds) on a shared time axis; a
    /// segment too short to see is drawn 3 px wide.
    struct Segment {
        var label: String
        var detail: String
        var start: Double
        var end: Double
        var color: String
        var dashed: Bool
    }

    static func timeline(_ segments: [Segment], width: Int = 1040) -> String {
        // The right margin holds each row's detail (10 px text, about 6 px a character): wide
        // enough for the longest, e.g. "2,016 ratings, 2017-06-21 – 2017-07-28 (held back)".
        let longest = Double(segments.map(\.detail.count).max() ?? 0)
        let rowH = 24.0, left = 110.0, right = max(250.0, 16 + longest * 6), top = 8.0, axisH = 26.0
        let height = Int(top + rowH * Double(segments.count) + axisH)
        let plotW = Double(width) - left - right
        let t0 = segments.map(\.start).min() ?? 0, t1 = max(segments.map(\.end).max() ?? 1, t0 + 1)
        func x(_ t: Double) -> Double { left + (t - t0) / (t1 - t0) * plotW }
        var out = open(width, height)
        let firstYear = Calendar.utc.component(.year, from: Date(timeIntervalSince1970: t0))
        let lastYear = Calendar.utc.component(.year, from: Date(timeIntervalSince1970: t1))
        let yearStep = max(1, (lastYear - firstYear + 1) / 10)
        let axisY = top + rowH * Double(segments.count) + 4
        var year = firstYear + 1
        while year <= lastYear {
            if (year - firstYear) % yearStep == 0, let date = Calendar.utc.date(from: DateComponents(year: year, month: 1, day: 1)) {
                let xx = x(date.timeIntervalSince1970)
                out += "<line x1=\"\(f(xx))\" y1=\"\(f(top))\" x2=\"\(f(xx))\" y2=\"\(f(axisY))\" stroke=\"#eee\"/>"
                out += "<text x=\"\(f(xx))\" y=\"\(f(axisY + 14))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">\(year)</text>"
            }
            year += 1
        }
        for (i, s) in segments.enumerated() {
            let y = top + Double(i) * rowH
            let x0 = x(s.start), w = max(x(s.end) - x0, 3)
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(y + rowH * 0.65))\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">\(escape(s.label))</text>"
            out += "<rect x=\"\(f(x0))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"\(s.color)\""
                + (s.dashed ? " fill-opacity=\"0.35\" stroke=\"\(s.color)\" stroke-dasharray=\"3 2\"" : "")
                + "><title>\(escape(s.label)): \(escape(s.detail))</title></rect>"
            out += "<text x=\"\(f(left + plotW + 8))\" y=\"\(f(y + rowH * 0.65))\" font-size=\"10\" fill=\"#555\">\(escape(s.detail))</text>"
        }
        out += "<line x1=\"\(f(left))\" y1=\"\(f(axisY))\" x2=\"\(f(left + plotW))\" y2=\"\(f(axisY))\" stroke=\"#888\"/>"
        return out + "</svg>"
    }

    // MARK: - Pieces

    static func open(_ width: Int, _ height: Int) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" \(font) role=\"img\">"
    }

    static func yAxis(ticks: [Double], yMax: Double, left: Double, top: Double, plotW: Double, plotH: Double,
                      format: (Double) -> String, title: String) -> String {
        var out = ""
        for t in ticks {
            let y = top + plotH - t / yMax * plotH
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#e6e6e6\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 3))\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">\(escape(format(t)))</text>"
        }
        if !title.isEmpty {
            out += "<text transform=\"translate(12 \(f(top + plotH / 2))) rotate(-90)\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">\(escape(title))</text>"
        }
        return out
    }

    static func legend(_ items: [(String, String)], x: Double, y: Double) -> String {
        var out = ""
        var cx = x
        for (name, color) in items {
            out += "<rect x=\"\(f(cx))\" y=\"\(f(y - 8))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            out += "<text x=\"\(f(cx + 14))\" y=\"\(f(y + 1))\" font-size=\"11\" fill=\"#333\">\(escape(name))</text>"
            cx += 24 + Double(name.count) * 6.2
        }
        return out
    }

    /// 0 and about five round steps up to at least `max` (1, 2 or 5 times a power of ten).
    static func niceTicks(max: Double, count: Int = 5) -> [Double] {
        guard max > 0, max.isFinite else { return [0, 1] }
        let raw = max / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = [0]
        while ticks.last! < max - 1e-12 * max { ticks.append(ticks.last! + step) }
        return ticks
    }

    /// Two decimals at most, no trailing zeros (SVG coordinates).
    static func f(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// 1234567 -> "1,234,567"; fractions keep up to three decimals.
    static func grouped(_ v: Double) -> String {
        if v != v.rounded() { return String(format: "%.3f", v) }
        let digits = String(Int(v.magnitude))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (v < 0 ? "-" : "") + String(out.reversed())
    }

    /// 1200 -> "1.2k", 3_400_000 -> "3.4M".
    static func compact(_ v: Double) -> String {
        let a = v.magnitude
        func trim(_ s: String) -> String { s.hasSuffix(".0") ? String(s.dropLast(2)) : s }
        if a >= 1e6 { return trim(String(format: "%.1f", v / 1e6)) + "M" }
        if a >= 1e3 { return trim(String(format: "%.1f", v / 1e3)) + "k" }
        return trim(String(format: "%.1f", v))
    }

    static func percent(_ v: Double) -> String {
        let p = v * 100
        return (p >= 10 || p == 0 ? String(format: "%.0f", p) : String(format: "%.1f", p)) + "%"
    }

    /// Text for XML/HTML: & < > " escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC (the warehouse's times are UTC).
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()
}
