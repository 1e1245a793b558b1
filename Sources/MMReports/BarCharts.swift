import Foundation

/// One category of a horizontal bar chart, with one value per series.
struct BarChartRow {
    /// The category name, plain text.
    var label: String
    var values: [Double]
    /// Each value as printed at the end of its bar.
    var valueTexts: [String]
    /// Hover text of each bar.
    var tooltips: [String]
    /// Extra attributes of each bar's `rect` (such as `data-genre`), plain text.
    var attributes: [(String, String)] = []
}

/// Inline SVG charts. Every chart scales with its `viewBox`, carries a `<title>` for
/// screen readers and marks its elements for tests: the `svg` has `data-chart`, each bar
/// is a `rect class="bar"` with `data-series`.
///
/// All text arguments are plain and escaped here.
enum SVGChart {
    /// The viewBox width. Charts scale to their card, capped by the style sheet at about
    /// 1.15 times this, so the 13-unit text stays between about 11 px (phones) and 15 px.
    static let width = 400.0
    static let fontSize = 13.0
    static let tickFontSize = 12.0

    /// Horizontal bars, one row per category and one bar per series in each row, with the
    /// value printed at the end of each bar. Values start at zero; `maximum` defaults to
    /// the largest value.
    static func horizontalBars(
        id: String, title: String, rows: [BarChartRow], axisLabel: String, maximum: Double? = nil,
        seriesClasses: [String] = ["series-0", "series-1", "series-2"], maxLabelShare: Double = 0.34
    ) -> String {
        let seriesCount = max(1, rows.first?.values.count ?? 1)
        let barHeight = seriesCount == 1 ? 16.0 : 11.0
        let rowHeight = barHeight * Double(seriesCount) + 10
        let top = 6.0
        let height = top + rowHeight * Double(rows.count) + 30

        let labelWidth = min(
            width * maxLabelShare,
            (rows.map { ChartScale.textWidth($0.label, fontSize: fontSize) }.max() ?? 0) + 10)
        let valueWidth =
            (rows.flatMap(\.valueTexts).map { ChartScale.textWidth($0, fontSize: tickFontSize) }.max() ?? 0) + 8
        let plotX = labelWidth
        let plotWidth = max(40, width - labelWidth - valueWidth)
        let top1 = maximum ?? rows.flatMap(\.values).max() ?? 0
        let scale = top1 > 0 ? plotWidth / top1 : 0

        var svg = openSVG(id: id, title: title, height: height)
        for (index, row) in rows.enumerated() {
            let rowTop = top + Double(index) * rowHeight
            let label = ChartScale.truncate(row.label, toWidth: labelWidth - 8, fontSize: fontSize)
            svg += "<text class=\"label\" x=\"\(svgNumber(plotX - 6))\" y=\"\(svgNumber(rowTop + rowHeight / 2 - 1))\" "
                + "text-anchor=\"end\" dominant-baseline=\"middle\">\(escapeHTML(label))</text>"

            for series in 0..<row.values.count {
                let value = max(0, row.values[series])
                let barWidth = value > 0 ? max(1, value * scale) : 0
                let y = rowTop + 5 + Double(series) * barHeight
                let seriesClass = series < seriesClasses.count ? seriesClasses[series] : "series-\(series)"
                svg += "<rect class=\"bar \(seriesClass)\" data-series=\"\(series)\""
                for (name, attribute) in row.attributes {
                    svg += " \(name)=\"\(escapeHTML(attribute))\""
                }
                svg += " x=\"\(svgNumber(plotX))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(barWidth))\" "
                    + "height=\"\(svgNumber(barHeight - 2))\"><title>\(escapeHTML(row.tooltips[series]))</title></rect>"
                svg += "<text class=\"value\" x=\"\(svgNumber(plotX + barWidth + 4))\" "
                    + "y=\"\(svgNumber(y + (barHeight - 2) / 2))\" dominant-baseline=\"middle\">"
                    + "\(escapeHTML(row.valueTexts[series]))</text>"
            }
        }

        let axisBottom = top + rowHeight * Double(rows.count)
        svg += "<line class=\"axis\" x1=\"\(svgNumber(plotX))\" y1=\"\(svgNumber(top))\" "
            + "x2=\"\(svgNumber(plotX))\" y2=\"\(svgNumber(axisBottom))\"/>"
        svg += "<text class=\"axis-label\" x=\"\(svgNumber(plotX + plotWidth / 2))\" y=\"\(svgNumber(height - 8))\" "
            + "text-anchor=\"middle\">\(escapeHTML(axisLabel))</text>"
        return svg + "</svg>"
    }

    /// Vertical bars of a histogram, with a y axis of counts and x ticks at bin edges.
    static func histogram(
        id: String, title: String, histogram: Histogram, xLabel: String, yLabel: String,
        formatCount: (Int) -> String, formatEdge: (Double, Int) -> String,
        tooltip: (String, String, Int) -> String
    ) -> String {
        let frame = PlotFrame(
            maxValue: Double(histogram.counts.max() ?? 0), formatTick: { value, _ in formatCount(Int(value)) })
        var svg = openSVG(id: id, title: title, height: frame.height)
        svg += frame.yAxis(label: yLabel)

        let bins = histogram.counts.count
        let binWidth = frame.plotWidth / Double(max(1, bins))
        let step = (histogram.upperBound - histogram.lowerBound) / Double(max(1, bins))
        let decimals = ChartScale.decimals(forStep: step)
        for (index, count) in histogram.counts.enumerated() {
            let barHeight = frame.plotBottom - frame.y(Double(count))
            let x = frame.plotX + Double(index) * binWidth
            let lower = formatEdge(histogram.edge(index), decimals)
            let upper = formatEdge(histogram.edge(index + 1), decimals)
            svg += "<rect class=\"bar series-0\" data-series=\"0\" data-bin=\"\(index)\" "
                + "x=\"\(svgNumber(x + 0.5))\" y=\"\(svgNumber(frame.plotBottom - barHeight))\" "
                + "width=\"\(svgNumber(max(0, binWidth - 1)))\" height=\"\(svgNumber(barHeight))\">"
                + "<title>\(escapeHTML(tooltip(lower, upper, count)))</title></rect>"
        }

        // Label at most about six edges so the numbers never collide.
        let every = max(1, Int((Double(bins) / 5).rounded(.up)))
        var xTicks: [(Double, String)] = []
        for index in stride(from: 0, through: bins, by: every) {
            xTicks.append((frame.plotX + Double(index) * binWidth, formatEdge(histogram.edge(index), decimals)))
        }
        svg += frame.xAxis(ticks: xTicks, label: xLabel)
        return svg + "</svg>"
    }

    /// Stacked columns, one per category left to right, with the segments bottom up.
    static func stackedColumns(
        id: String, title: String, columns: [(label: String, segments: [Double], tooltip: String)],
        seriesClasses: [String], yLabel: String, xLabel: String, formatTick: (Double, Int) -> String
    ) -> String {
        let totals = columns.map { $0.segments.reduce(0, +) }
        let frame = PlotFrame(maxValue: totals.max() ?? 0, formatTick: formatTick)
        var svg = openSVG(id: id, title: title, height: frame.height)
        svg += frame.yAxis(label: yLabel)

        let slot = frame.plotWidth / Double(max(1, columns.count))
        let columnWidth = min(36, slot * 0.7)
        var xTicks: [(Double, String)] = []
        let every = max(1, Int((Double(columns.count) / 8).rounded(.up)))
        for (index, column) in columns.enumerated() {
            let x = frame.plotX + Double(index) * slot + (slot - columnWidth) / 2
            var base = 0.0
            svg += "<g class=\"column\" data-column=\"\(index)\"><title>\(escapeHTML(column.tooltip))</title>"
            for (series, value) in column.segments.enumerated() {
                let y0 = frame.y(base)
                let y1 = frame.y(base + max(0, value))
                let seriesClass = series < seriesClasses.count ? seriesClasses[series] : "series-\(series)"
                svg += "<rect class=\"bar \(seriesClass)\" data-series=\"\(series)\" x=\"\(svgNumber(x))\" "
                    + "y=\"\(svgNumber(y1))\" width=\"\(svgNumber(columnWidth))\" height=\"\(svgNumber(y0 - y1))\"/>"
                base += max(0, value)
            }
            svg += "</g>"
            if index % every == 0 || index == columns.count - 1 {
                xTicks.append((x + columnWidth / 2, column.label))
            }
        }
        svg += frame.xAxis(ticks: xTicks, label: xLabel)
        return svg + "</svg>"
    }

    /// Returns the opening `svg` tag with its accessible title.
    static func openSVG(id: String, title: String, height: Double) -> String {
        "<svg class=\"chart\" data-chart=\"\(escapeHTML(id))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "role=\"img\" aria-labelledby=\"\(escapeHTML(id))-title\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(escapeHTML(id))-title\">\(escapeHTML(title))</title>"
    }
}

/// The plot area of a chart with a numeric y axis starting at zero, in SVG user units.
struct PlotFrame {
    let ticks: [Double]
    let tickTexts: [String]
    let plotX: Double
    let plotTop = 10.0
    let plotBottom: Double
    let height: Double
    var plotWidth: Double { SVGChart.width - plotX - 12 }

    /// - Parameter formatTick: formats a tick value with the given count of decimals,
    ///   which is the same for every tick of the axis.
    init(maxValue: Double, height: Double = 230, formatTick: (Double, Int) -> String) {
        ticks = ChartScale.ticks(upTo: maxValue)
        let decimals = ChartScale.decimals(forStep: ticks.count > 1 ? ticks[1] - ticks[0] : 1)
        tickTexts = ticks.map { formatTick($0, decimals) }
        let tickWidth = tickTexts.map { ChartScale.textWidth($0, fontSize: SVGChart.tickFontSize) }.max() ?? 0
        plotX = 22 + tickWidth + 6
        self.height = height
        plotBottom = height - 44
    }

    /// Returns the y coordinate of `value`.
    func y(_ value: Double) -> Double {
        let top = ticks.last ?? 1
        return plotBottom - (plotBottom - plotTop) * (top > 0 ? value / top : 0)
    }

    /// Grid lines, tick labels and the rotated axis label.
    func yAxis(label: String) -> String {
        var svg = ""
        for (tick, text) in zip(ticks, tickTexts) {
            let y = svgNumber(y(tick))
            svg += "<line class=\"grid\" x1=\"\(svgNumber(plotX))\" y1=\"\(y)\" x2=\"\(svgNumber(plotX + plotWidth))\" y2=\"\(y)\"/>"
            svg += "<text class=\"tick\" x=\"\(svgNumber(plotX - 5))\" y=\"\(y)\" text-anchor=\"end\" "
                + "dominant-baseline=\"middle\">\(escapeHTML(text))</text>"
        }
        let middle = svgNumber((plotTop + plotBottom) / 2)
        svg += "<text class=\"axis-label\" x=\"12\" y=\"\(middle)\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 12 \(middle))\">\(escapeHTML(label))</text>"
        return svg
    }

    /// Draws the x axis line, tick labels at the given positions and the axis label.
    func xAxis(ticks: [(Double, String)], label: String) -> String {
        var svg = "<line class=\"axis\" x1=\"\(svgNumber(plotX))\" y1=\"\(svgNumber(plotBottom))\" "
            + "x2=\"\(svgNumber(plotX + plotWidth))\" y2=\"\(svgNumber(plotBottom))\"/>"
        for (x, text) in ticks {
            svg += "<text class=\"tick\" x=\"\(svgNumber(x))\" y=\"\(svgNumber(plotBottom + 16))\" "
                + "text-anchor=\"middle\">\(escapeHTML(text))</text>"
        }
        svg += "<text class=\"axis-label\" x=\"\(svgNumber(plotX + plotWidth / 2))\" y=\"\(svgNumber(height - 6))\" "
            + "text-anchor=\"middle\">\(escapeHTML(label))</text>"
        return svg
    }
}
