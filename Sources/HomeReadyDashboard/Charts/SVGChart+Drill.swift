import Foundation
import HomeReadyLocalization

/// The geometry of a drill chart, shared by the page's SVG and the PDF report: the ready share as steps over the
/// minutes since the start, against the target line and the RTO marker.
struct DrillChartGeometry: Sendable {
    /// Plot corners (x grows right, y grows down as in SVG).
    var left: Double, top: Double, width: Double, height: Double
    /// Minutes shown on the x axis: up to the close, or a little past the last point.
    var spanMinutes: Double

    init(detail: DrillDetail, left: Double, top: Double, width: Double, height: Double) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        let s = detail.summary
        let closes = s.closesAt.timeIntervalSince(s.startedAt) / 60
        let asOf = max(0, detail.asOf.timeIntervalSince(s.startedAt) / 60)
        spanMinutes = max(1, min(closes, max(Double(s.deadlineMinutes) * 1.1, asOf)))
    }

    func x(_ minute: Double) -> Double { left + min(max(minute, 0), spanMinutes) / spanMinutes * width }
    func y(_ share: Double) -> Double { top + height - min(max(share, 0), 1) * height }

    /// The steps of the ready share as points: flat until each report, then up or down; extended to `asOf`.
    func steps(_ detail: DrillDetail) -> [(x: Double, y: Double)] {
        var points: [(Double, Double)] = []
        var last = 0.0
        for point in detail.timeline {
            if !points.isEmpty { points.append((x(point.minute), y(last))) }
            points.append((x(point.minute), y(point.readyShare)))
            last = point.readyShare
        }
        let end = min(detail.asOf, detail.summary.closesAt).timeIntervalSince(detail.summary.startedAt) / 60
        points.append((x(end), y(last)))
        return points
    }
}

extension SVGChart {
    /// The live drill chart: the share verified ready over the minutes since the start (0–100 %), the target as a
    /// dashed line and the RTO as a vertical marker.
    static func drill(id: String, detail: DrillDetail, localizer: Localizer, width: Int = 640, height: Int = 240)
        -> String
    {
        let s = detail.summary
        let g = DrillChartGeometry(
            detail: detail, left: 48, top: 14, width: Double(width) - 60, height: Double(height) - 52)
        func percent(_ share: Double) -> String { localizer.quantity((share * 100).rounded(), unit: "%", decimals: 0) }
        let minutesNow = max(0, min(detail.asOf, s.closesAt).timeIntervalSince(s.startedAt) / 60)
        let desc = localizer(
            "dashboard.drill.chart_desc",
            [
                "ready": .number(Double(s.counts.ready), unit: nil), "agents": .number(Double(s.agents), unit: nil),
                "share": .text(percent(s.readyShare)), "minutes": .number(minutesNow.rounded(), unit: nil),
                "target": .text(percent(s.targetReadyShare)), "rto": .number(Double(s.deadlineMinutes), unit: nil),
            ])
        var svg =
            "<svg class=\"chart\" id=\"\(id)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(id)-title\">\(escape(localizer("dashboard.drill.chart_title")))</title><desc id=\"\(id)-desc\">\(escape(desc))</desc>"
        for step in 0...4 {
            let share = Double(step) / 4
            let y = g.y(share)
            svg +=
                "<line x1=\"\(f(g.left))\" y1=\"\(f(y))\" x2=\"\(f(g.left + g.width))\" y2=\"\(f(y))\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg +=
                "<text x=\"\(f(g.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#24292f\">\(escape(percent(share)))</text>"
        }
        // X axis: 0, the RTO and the end, in minutes.
        let baseline = g.top + g.height
        for minute in Set([0, Double(s.deadlineMinutes), g.spanMinutes.rounded()]).sorted() {
            svg +=
                "<text x=\"\(f(g.x(minute)))\" y=\"\(f(baseline + 14))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#24292f\">\(escape(localizer.number(minute, decimals: 0)))</text>"
        }
        svg +=
            "<text x=\"\(f(g.left + g.width))\" y=\"\(f(baseline + 30))\" text-anchor=\"end\" font-size=\"11\" fill=\"#24292f\">\(escape(localizer("dashboard.drill.chart_axis")))</text>"
        let ty = g.y(s.targetReadyShare)
        svg +=
            "<line class=\"target\" x1=\"\(f(g.left))\" y1=\"\(f(ty))\" x2=\"\(f(g.left + g.width))\" y2=\"\(f(ty))\" stroke=\"#0550ae\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
        svg +=
            "<text x=\"\(f(g.left + 4))\" y=\"\(f(ty - 4))\" font-size=\"11\" fill=\"#0550ae\">\(escape(localizer("dashboard.drill.chart_target", ["share": .text(percent(s.targetReadyShare))])))</text>"
        let rx = g.x(Double(s.deadlineMinutes))
        svg +=
            "<line class=\"rto\" x1=\"\(f(rx))\" y1=\"\(f(g.top))\" x2=\"\(f(rx))\" y2=\"\(f(baseline))\" stroke=\"#8250df\" stroke-dasharray=\"3 3\" stroke-width=\"1.5\"/>"
        svg +=
            "<text x=\"\(f(rx - 4))\" y=\"\(f(g.top + 10))\" text-anchor=\"end\" font-size=\"11\" fill=\"#8250df\">\(escape(localizer("dashboard.drill.chart_rto", ["minutes": .number(Double(s.deadlineMinutes), unit: nil)])))</text>"
        let path = g.steps(detail).map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
        svg += "<polyline class=\"ready\" fill=\"none\" stroke=\"#1a7f37\" stroke-width=\"2.5\" points=\"\(path)\"/>"
        return svg + "</svg>"
    }
}
