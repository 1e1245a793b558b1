import Foundation

/// One line of a line chart: a value per x position (nil leaves a gap).
struct LineSeries {
    var name: String
    var values: [Double?]
}

extension SVGChart {
    /// Lines over x positions 1…n (epochs), each series with its own colour and dash
    /// pattern (`series-0` solid, `series-1` dashed, `series-2` dotted) and a dot per
    /// point. The y axis starts at zero and ends at a round value above the maximum, or
    /// at `yMaximum`. A dashed vertical marker with a label can point at one x.
    static func lines(
        id: String, title: String, series: [LineSeries], xLabel: String, yLabel: String,
        yMaximum: Double? = nil, marker: (x: Int, label: String)? = nil,
        formatTick: (Double, Int) -> String, formatValue: (Double) -> String
    ) -> String {
        let count = series.map(\.values.count).max() ?? 0
        let maximum = yMaximum ?? series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite).max() ?? 1
        let frame = PlotFrame(maxValue: maximum, formatTick: formatTick)
        var svg = openSVG(id: id, title: title, height: frame.height)
        svg += frame.yAxis(label: yLabel)

        func x(_ position: Int) -> Double {
            count > 1
                ? frame.plotX + frame.plotWidth * Double(position - 1) / Double(count - 1)
                : frame.plotX + frame.plotWidth / 2
        }

        if let marker, marker.x >= 1, marker.x <= count {
            let markerX = svgNumber(x(marker.x))
            svg += "<line class=\"marker\" data-marker=\"\(marker.x)\" x1=\"\(markerX)\" y1=\"\(svgNumber(frame.plotTop))\" "
                + "x2=\"\(markerX)\" y2=\"\(svgNumber(frame.plotBottom))\"/>"
            let anchor = x(marker.x) > frame.plotX + frame.plotWidth * 0.75 ? "end" : "start"
            let offset = anchor == "end" ? -4.0 : 4.0
            svg += "<text class=\"tick\" x=\"\(svgNumber(x(marker.x) + offset))\" y=\"\(svgNumber(frame.plotTop + 10))\" "
                + "text-anchor=\"\(anchor)\">\(escapeHTML(marker.label))</text>"
        }

        for (index, line) in series.enumerated() {
            svg += polyline(line, index: index, x: x, y: frame.y, formatValue: formatValue)
        }

        // Label at most about eight x positions.
        let every = max(1, Int((Double(count) / 8).rounded(.up)))
        var xTicks: [(Double, String)] = []
        for position in stride(from: 1, through: count, by: every) {
            xTicks.append((x(position), String(position)))
        }
        svg += frame.xAxis(ticks: xTicks, label: xLabel)
        return svg + "</svg>"
    }

    /// Draws the path of one series, split at missing or non-finite values, and its dots.
    private static func polyline(
        _ line: LineSeries, index: Int, x: (Int) -> Double, y: (Double) -> Double,
        formatValue: (Double) -> String
    ) -> String {
        var path = ""
        var penDown = false
        var dots = ""
        for (offset, value) in line.values.enumerated() {
            guard let value, value.isFinite else {
                penDown = false
                continue
            }
            let point = "\(svgNumber(x(offset + 1))),\(svgNumber(y(value)))"
            path += (penDown ? "L" : "M") + point
            penDown = true
            dots += "<circle class=\"point series-\(index)\" data-series=\"\(index)\" cx=\"\(svgNumber(x(offset + 1)))\" "
                + "cy=\"\(svgNumber(y(value)))\" r=\"2.5\"><title>\(escapeHTML(line.name)) \(offset + 1): "
                + "\(escapeHTML(formatValue(value)))</title></circle>"
        }
        return "<path class=\"line series-\(index)\" data-series=\"\(index)\" d=\"\(path)\"/>" + dots
    }
}
