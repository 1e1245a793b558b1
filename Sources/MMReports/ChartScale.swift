import Foundation

/// Axis arithmetic shared by the charts: tick values at round numbers, and estimates of
/// text width for laying out labels without a font engine.
enum ChartScale {
    /// Tick values from 0 to at least `maximum`, spaced 1, 2 or 5 times a power of ten,
    /// at most `maxTicks + 1` values. The last value is the axis end.
    static func ticks(upTo maximum: Double, maxTicks: Int = 4) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0, 1] }
        let rough = maximum / Double(maxTicks)
        let power = pow(10, (log10(rough)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let count = Int((maximum / step).rounded(.up))
        return (0...max(1, count)).map { Double($0) * step }
    }

    /// Estimated width in SVG user units of `text` at `fontSize`: CJK characters take a
    /// full em, others about 0.6 em (system sans-serif fonts average close to that).
    static func textWidth(_ text: String, fontSize: Double) -> Double {
        var width = 0.0
        for scalar in text.unicodeScalars {
            width += isWide(scalar) ? fontSize : fontSize * 0.6
        }
        return width
    }

    /// `text` cut with an ellipsis to fit `width` at `fontSize`.
    static func truncate(_ text: String, toWidth width: Double, fontSize: Double) -> String {
        guard textWidth(text, fontSize: fontSize) > width else { return text }
        var result = ""
        var used = fontSize  // room for the ellipsis
        for character in text {
            let characterWidth = textWidth(String(character), fontSize: fontSize)
            if used + characterWidth > width { break }
            result.append(character)
            used += characterWidth
        }
        return result + "…"
    }

    /// Decimals needed to tell apart values spaced `step` apart (0.1 → 1, 0.05 → 2).
    static func decimals(forStep step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var decimals = 0
        var scaled = step
        while decimals < 6 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, scaled) {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

/// Formats a coordinate for SVG with at most one decimal.
func svgNumber(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    if rounded == rounded.rounded() {
        return String(Int(rounded))
    }
    return String(rounded)
}
