import Foundation
import HomeReadyLocalization

/// The drill report for the continuity committee as a PDF: the same figures and sentences as the HTML report,
/// in the reader's language, laid out on A4 pages with `PDFWriter` (the chart drawn with path operators).
struct DrillReportPDF {
    let handlers: DashboardHandlers
    let detail: DrillDetail

    private var localizer: Localizer { handlers.localizer }
    static let margin = 50.0
    static let bottom = 60.0

    /// Lays the report out, page by page.
    func document() -> PDFWriter {
        var layout = Layout()
        let s = detail.summary
        let values = handlers.drillContext(detail)
        func text(_ key: String) -> String { values[key] as? String ?? "" }
        layout.heading(localizer("dashboard.drill_report.title"), size: 18)
        layout.heading(handlers.drillName(s), size: 14)
        layout.paragraph(text("summary"), size: 10)
        layout.paragraph(
            localizer("dashboard.drill_report.generated", ["time": .text(handlers.dateTime(detail.asOf))]), size: 9)
        layout.space(6)
        layout.heading(localizer("dashboard.drill_report.outcome"), size: 13)
        layout.paragraph(text("outcome"), size: 11, bold: true)
        layout.paragraph(text("counts"), size: 10)
        layout.space(4)
        layout.heading(localizer("dashboard.drill.kpis"), size: 13)
        layout.row(
            [
                localizer("dashboard.drill.kpi_t50"), localizer("dashboard.drill.kpi_t90"),
                localizer("dashboard.drill.kpi_rto"),
            ],
            bold: true)
        layout.row([text("t50"), text("t90"), text("rto")])
        layout.space(8)
        layout.heading(localizer("dashboard.drill.chart_title"), size: 13)
        layout.chart(detail, localizer: localizer, percent: handlers.percent)
        layout.heading(localizer("dashboard.drill.causes_title"), size: 13)
        if detail.failingChecks.isEmpty {
            layout.paragraph(localizer("dashboard.drill.causes_none"), size: 10)
        } else {
            layout.row(
                [
                    localizer("dashboard.drill.col_cause"), localizer("dashboard.drill.col_agents"),
                    localizer("dashboard.drill.col_who"),
                ], widths: [0.4, 0.15, 0.45], bold: true)
            for cause in detail.failingChecks {
                layout.row(
                    [cause.cause, handlers.count(cause.agents), cause.employeeIds.joined(separator: ", ")],
                    widths: [0.4, 0.15, 0.45])
            }
        }
        layout.space(8)
        layout.heading(localizer("dashboard.drill.silent_title"), size: 13)
        if detail.notAnswered.isEmpty {
            layout.paragraph(localizer("dashboard.drill.silent_none"), size: 10)
        } else {
            layout.row(
                [
                    localizer("dashboard.drill.col_employee"), localizer("dashboard.drill.col_name"),
                    localizer("dashboard.drill.col_fetched"),
                ], widths: [0.25, 0.4, 0.35], bold: true)
            let shown = detail.notAnswered.prefix(200)
            for agent in shown {
                layout.row(
                    [
                        agent.employeeId, agent.name,
                        agent.instructionFetchedAt.map(handlers.dateTime) ?? localizer("dashboard.drill.fetched_never"),
                    ],
                    widths: [0.25, 0.4, 0.35])
            }
            let more = s.counts.notAnswered - shown.count
            if more > 0 {
                layout.paragraph(
                    localizer("dashboard.drill_report.more", ["count": .number(Double(more), unit: nil)]), size: 10)
            }
        }
        layout.space(8)
        layout.paragraph(localizer("dashboard.drill_report.method"), size: 8)
        var writer = PDFWriter()
        writer.title = localizer("dashboard.drill_report.title") + ": " + handlers.drillName(s)
        writer.pages = layout.finish { page, pages in
            localizer(
                "dashboard.drill_report.page",
                ["page": .number(Double(page), unit: nil), "pages": .number(Double(pages), unit: nil)])
        }
        return writer
    }

    /// Flows blocks down A4 pages, starting a new page when the next block does not fit.
    struct Layout {
        var pages: [PDFWriter.Page] = [PDFWriter.Page()]
        var y = PDFWriter.pageHeight - DrillReportPDF.margin
        let left = DrillReportPDF.margin
        let width = PDFWriter.pageWidth - 2 * DrillReportPDF.margin

        mutating func need(_ height: Double) {
            if y - height < DrillReportPDF.bottom {
                pages.append(PDFWriter.Page())
                y = PDFWriter.pageHeight - DrillReportPDF.margin
            }
        }

        mutating func space(_ points: Double) { y -= points }

        mutating func heading(_ text: String, size: Double) {
            need(size * 2)
            y -= size * 1.3
            pages[pages.count - 1].text(text, x: left, y: y, size: size, bold: true)
            y -= size * 0.4
        }

        mutating func paragraph(_ text: String, size: Double, bold: Bool = false) {
            for line in PDFWriter.wrap(text, width: width, size: size, bold: bold) {
                need(size * 1.4)
                y -= size * 1.35
                pages[pages.count - 1].text(line, x: left, y: y, size: size, bold: bold)
            }
            y -= size * 0.4
        }

        /// One table row: cells at fractions of the width, each cut to fit.
        mutating func row(_ cells: [String], widths: [Double]? = nil, bold: Bool = false) {
            let size = 10.0
            let fractions = widths ?? Array(repeating: 1 / Double(cells.count), count: cells.count)
            need(size * 1.6)
            y -= size * 1.45
            var x = left
            for (cell, fraction) in zip(cells, fractions) {
                let room = width * fraction - 6
                var shown = cell
                while PDFWriter.width(shown, size: size, bold: bold) > room, shown.count > 1 {
                    shown = String(shown.dropLast(2)) + "…"
                }
                pages[pages.count - 1].text(shown, x: x, y: y, size: size, bold: bold)
                x += width * fraction
            }
            if bold {
                pages[pages.count - 1].line(
                    from: (left, y - 3), to: (left + width, y - 3), width: 0.5, color: .grey)
            }
        }

        /// The ready share over time: grid, target line, RTO marker, the steps; 200 points high.
        mutating func chart(_ detail: DrillDetail, localizer: Localizer, percent: (Double) -> String) {
            let height = 200.0
            need(height + 40)
            let s = detail.summary
            let plotLeft = left + 36
            let plotTop = y - 10
            // Geometry in a y-down frame, flipped into PDF space (y up).
            let g = DrillChartGeometry(detail: detail, left: plotLeft, top: 0, width: width - 40, height: height - 30)
            func py(_ downY: Double) -> Double { plotTop - downY }
            var page = pages[pages.count - 1]
            for step in 0...4 {
                let share = Double(step) / 4
                let yy = py(g.y(share))
                page.line(from: (g.left, yy), to: (g.left + g.width, yy), width: 0.5, color: .grey)
                page.text(percent(share), x: left, y: yy - 3, size: 8)
            }
            let target = py(g.y(s.targetReadyShare))
            page.line(from: (g.left, target), to: (g.left + g.width, target), width: 1, color: .blue, dash: (5, 3))
            page.text(
                localizer("dashboard.drill.chart_target", ["share": .text(percent(s.targetReadyShare))]),
                x: g.left + 4, y: target + 3, size: 8, color: .blue)
            let rto = g.x(Double(s.deadlineMinutes))
            page.line(from: (rto, py(g.y(1))), to: (rto, py(g.y(0))), width: 1, color: .purple, dash: (3, 3))
            page.text(
                localizer("dashboard.drill.chart_rto", ["minutes": .number(Double(s.deadlineMinutes), unit: nil)]),
                x: rto + 3, y: py(g.y(1)) - 9, size: 8, color: .purple)
            let steps = g.steps(detail)
            page.polyline(steps.map { ($0.x, py($0.y)) }, width: 2, color: .green)
            let baseline = py(g.y(0))
            for minute in Set([0, Double(s.deadlineMinutes), g.spanMinutes.rounded()]).sorted() {
                page.text(localizer.number(minute, decimals: 0), x: g.x(minute) - 4, y: baseline - 11, size: 8)
            }
            page.text(localizer("dashboard.drill.chart_axis"), x: g.left + g.width - 120, y: baseline - 22, size: 8)
            pages[pages.count - 1] = page
            y = baseline - 34
        }

        /// The pages with a footer each ("Page 1 of 2").
        func finish(footer: (Int, Int) -> String) -> [PDFWriter.Page] {
            pages.enumerated().map { index, page in
                var page = page
                page.text(footer(index + 1, pages.count), x: left, y: 30, size: 8, color: .black)
                return page
            }
        }
    }
}
