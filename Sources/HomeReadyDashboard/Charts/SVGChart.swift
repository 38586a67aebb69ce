import Foundation
import HomeReadyLocalization
import HomeReadyModel

/// Server-side SVG charts: line charts for history, stacked bars for roll-ups, a funnel. Every chart carries a
/// `<title>` and `<desc>` for screen readers and uses colours with at least 4.5:1 contrast on white. Labels, figures
/// and dates are in the reader's language (the caller's `Localizer`).
enum SVGChart {
    /// A named series of a line chart.
    struct Series: Sendable {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    static let readinessColors: [ReadinessStatus: String] = [
        .ready: "#1a7f37", .atRisk: "#9a6700", .notReady: "#cf222e", .unknown: "#57606a",
    ]

    /// A line chart with x as time (seconds since 1970) and a y axis from zero.
    static func line(
        id: String, title: String, unit: String, series: [Series], localizer: Localizer, width: Int = 640,
        height: Int = 220, targetLine: (value: Double, label: String)? = nil,
        verticalMarker: (x: Double, label: String)? = nil
    ) -> String {
        func fmt(_ v: Double) -> String { format(v, localizer) }
        func shortDate(_ seconds: Double) -> String { localizer.day(Date(timeIntervalSince1970: seconds)) }
        let left = 48.0, right = 12.0, top = 14.0, bottom = 34.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) } + (verticalMarker.map { [$0.x] } ?? [])
        let ys = series.flatMap { $0.points.map(\.y) } + (targetLine.map { [$0.value] } ?? [])
        let minX = xs.min() ?? 0, maxX = max(xs.max() ?? 1, minX + 1)
        let maxY = niceCeiling(max(ys.max() ?? 1, 1e-9))
        func px(_ x: Double) -> Double { left + (x - minX) / (maxX - minX) * plotW }
        func py(_ y: Double) -> Double { top + plotH - y / maxY * plotH }
        var svg = open(id: id, title: title, width: width, height: height,
            desc: series.map {
                localizer(
                    "dashboard.chart.series_summary",
                    ["name": .text($0.name), "count": .number(Double($0.points.count), unit: nil),
                     "latest": .text(fmt($0.points.last?.y ?? 0)), "unit": .text(unit)])
            }.joined(separator: "; "))
        // Grid and y labels.
        // Five gridlines when the top is a 2.5 or 5 multiple (0, 50, ... 250), else four.
        let lead = maxY / pow(10, floor(log10(maxY)))
        let ticks = (lead == 2.5 || lead == 5) ? 5 : 4
        for i in 0...ticks {
            let v = maxY * Double(i) / Double(ticks)
            let y = py(v)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#24292f\">\(fmt(v))</text>"
        }
        svg += "<text x=\"4\" y=\"\(f(top - 2))\" font-size=\"11\" fill=\"#24292f\">\(escape(unit))</text>"
        // X labels: first and last dates.
        svg += "<text x=\"\(f(left))\" y=\"\(height - 16)\" font-size=\"11\" fill=\"#24292f\">\(shortDate(minX))</text>"
        svg += "<text x=\"\(f(left + plotW))\" y=\"\(height - 16)\" text-anchor=\"end\" font-size=\"11\" fill=\"#24292f\">\(shortDate(maxX))</text>"
        if let t = targetLine {
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py(t.value)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t.value)))\" stroke=\"#0550ae\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
            svg += "<text x=\"\(f(left + 4))\" y=\"\(f(py(t.value) - 4))\" font-size=\"11\" fill=\"#0550ae\">\(escape(t.label))</text>"
        }
        if let m = verticalMarker {
            svg += "<line x1=\"\(f(px(m.x)))\" y1=\"\(f(top))\" x2=\"\(f(px(m.x)))\" y2=\"\(f(top + plotH))\" stroke=\"#8250df\" stroke-dasharray=\"3 3\" stroke-width=\"1.5\"/>"
            svg += "<text x=\"\(f(px(m.x) - 4))\" y=\"\(f(top + 10))\" text-anchor=\"end\" font-size=\"11\" fill=\"#8250df\">\(escape(m.label))</text>"
        }
        for s in series where !s.points.isEmpty {
            let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
        }
        // Legend.
        var lx = left
        for s in series {
            svg += "<rect x=\"\(f(lx))\" y=\"\(height - 10)\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
            svg += "<text x=\"\(f(lx + 14))\" y=\"\(height - 1)\" font-size=\"11\" fill=\"#24292f\">\(escape(s.name))</text>"
            lx += 14 + Double(s.name.count) * 6.5 + 16
        }
        return svg + "</svg>"
    }

    /// Horizontal stacked bars, one per roll-up row, segments per readiness state.
    static func readinessBars(
        id: String, title: String, rows: [ReadinessRollup], localizer: Localizer, width: Int = 640
    ) -> String {
        func label(_ state: ReadinessStatus) -> String { localizer("dashboard.status.\(state.rawValue)") }
        let rowH = 26.0, labelW = 150.0, top = 8.0
        let height = Int(top + Double(rows.count) * rowH + 30)
        let maxTotal = Double(max(rows.map(\.counts.total).max() ?? 1, 1))
        let barW = Double(width) - labelW - 50
        var svg = open(id: id, title: title, width: width, height: height,
            desc: rows.map {
                localizer(
                    "dashboard.chart.ready_of_total",
                    ["name": .text($0.name), "ready": .number(Double($0.counts.ready), unit: nil),
                     "total": .number(Double($0.counts.total), unit: nil)])
            }.joined(separator: "; "))
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowH
            svg += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\" font-size=\"12\" fill=\"#24292f\" translate=\"no\">\(escape(row.name))</text>"
            var x = labelW
            for state in ReadinessStatus.allCases {
                let w = Double(row.counts[state]) / maxTotal * barW
                if w > 0 {
                    svg += "<rect x=\"\(f(x))\" y=\"\(f(y + 3))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" fill=\"\(readinessColors[state]!)\"><title>\(escape(row.name)) \(escape(label(state))): \(row.counts[state])</title></rect>"
                }
                x += w
            }
            svg += "<text x=\"\(f(x + 4))\" y=\"\(f(y + 15))\" font-size=\"11\" fill=\"#24292f\">\(row.counts.ready)/\(row.counts.total)</text>"
        }
        var lx = labelW
        let ly = top + Double(rows.count) * rowH + 8
        for state in ReadinessStatus.allCases {
            svg += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"10\" height=\"10\" fill=\"\(readinessColors[state]!)\"/>"
            svg += "<text x=\"\(f(lx + 14))\" y=\"\(f(ly + 9))\" font-size=\"11\" fill=\"#24292f\">\(escape(label(state)))</text>"
            lx += 14 + Double(label(state).count) * 6.5 + 16
        }
        return svg + "</svg>"
    }

    /// A funnel: one centred bar per stage, width proportional to its count.
    static func funnel(
        id: String, title: String, stages: [(name: String, count: Int)], localizer: Localizer, width: Int = 640
    ) -> String {
        let rowH = 44.0
        let height = Int(Double(stages.count) * rowH + 8)
        let maxCount = Double(max(stages.map(\.count).max() ?? 1, 1))
        let colors = ["#0550ae", "#0a3069", "#1a7f37", "#116329"]
        var svg = open(id: id, title: title, width: width, height: height,
            desc: stages.map { "\($0.name): \($0.count)" }.joined(separator: "; "))
        let maxW = Double(width) - 20
        for (i, stage) in stages.enumerated() {
            let w = max(Double(stage.count) / maxCount * maxW, 150)
            let x = (Double(width) - w) / 2, y = 4 + Double(i) * rowH
            let share = maxCount > 0 ? Double(stage.count) / maxCount * 100 : 0
            svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\" rx=\"4\" fill=\"\(colors[i % colors.count])\"/>"
            svg += "<text x=\"\(width / 2)\" y=\"\(f(y + 23))\" text-anchor=\"middle\" font-size=\"14\" fill=\"#ffffff\">\(escape(stage.name)): \(stage.count) (\(localizer.quantity(share.rounded(), unit: "%", decimals: 0)))</text>"
        }
        return svg + "</svg>"
    }

    private static func open(id: String, title: String, width: Int, height: Int, desc: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(id)-title\">\(escape(title))</title><desc id=\"\(id)-desc\">\(escape(desc))</desc>"
    }

    static func niceCeiling(_ v: Double) -> Double {
        let magnitude = pow(10, floor(log10(v)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= v { return step * magnitude }
        return 10 * magnitude
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
    /// An axis figure: whole above 10, one decimal below.
    static func format(_ v: Double, _ localizer: Localizer) -> String {
        localizer.number(v, decimals: v >= 10 || v == 0 ? 0 : 1)
    }

    static func escape(_ s: String) -> String { DashboardFormat.escapeXML(s) }
}

/// Formatting shared by charts and pages (UTC, fixed formats, no locale surprises).
enum DashboardFormat {
    static func components(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    }

    /// `2026-11-24`
    static func day(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// `2026-11-24 17:05 UTC`
    static func minute(_ date: Date) -> String {
        let c = components(date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    static func escapeXML(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
