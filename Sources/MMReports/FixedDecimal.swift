import Foundation

/// Formats floats exactly as C's `printf("%.6f", (double)value)` does, without the
/// cost of `String(format:)` (which goes through `NSString` on Linux) or `snprintf`.
///
/// A `Float` is sig·2^exp with sig < 2^24, so value·10^6 = sig·10^6·2^exp, where
/// sig·10^6 < 2^44 fits a `UInt64`. Shifting right by −exp and rounding the remainder
/// half to even gives the same digits as glibc, which rounds the exact binary value in
/// the default rounding mode. Values too large for that arithmetic (|x| ≥ 2^40), NaN
/// and infinities go through `snprintf`.
enum FixedDecimal {
    /// Appends `value` formatted as `%.6f` (including `-0.000000` for small negative
    /// values, as printf writes them).
    static func appendSixDecimals(_ value: Float, to output: inout [UInt8]) {
        guard value.isFinite, value.magnitude < 0x1p40 else {
            appendWithPrintf(Double(value), to: &output)
            return
        }

        let scaled = scaledByMillion(value)
        if value.sign == .minus {
            output.append(UInt8(ascii: "-"))
        }
        appendDecimal(scaled / 1_000_000, to: &output)
        output.append(UInt8(ascii: "."))

        var fraction = scaled % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in stride(from: 5, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
        }
        withUnsafeBytes(of: &digits) { output.append(contentsOf: $0) }
    }

    /// Returns the text of `value` as `%.6f`.
    static func sixDecimals(_ value: Float) -> String {
        var bytes: [UInt8] = []
        appendSixDecimals(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// round(|value|·10^6), ties to even, computed exactly.
    private static func scaledByMillion(_ value: Float) -> UInt64 {
        let magnitude = value.magnitude
        guard magnitude != 0 else { return 0 }

        // magnitude = significand · 2^exponent with an integer significand.
        let significand = UInt64(magnitude.significandBitPattern)
            | (magnitude.isNormal ? UInt64(1) << 23 : 0)
        let exponent = (magnitude.isNormal ? Int(magnitude.exponentBitPattern) : 1) - 127 - 23
        let numerator = significand * 1_000_000

        if exponent >= 0 {
            return numerator << UInt64(exponent)
        }
        let shift = -exponent
        if shift >= 64 {
            // numerator < 2^44 ≤ 2^(shift−1): below half a unit, so it rounds to zero.
            return 0
        }
        let quotient = numerator >> UInt64(shift)
        let remainder = numerator & ((UInt64(1) << UInt64(shift)) - 1)
        let half = UInt64(1) << UInt64(shift - 1)
        if remainder > half || (remainder == half && quotient & 1 == 1) {
            return quotient + 1
        }
        return quotient
    }

    private static func appendDecimal(_ value: UInt64, to output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        output.append(contentsOf: digits.reversed())
    }

    private static func appendWithPrintf(_ value: Double, to output: inout [UInt8]) {
        var buffer = [CChar](repeating: 0, count: 512)
        let length = buffer.withUnsafeMutableBufferPointer { pointer in
            withVaList([value]) { vsnprintf(pointer.baseAddress, pointer.count, "%.6f", $0) }
        }
        output.append(contentsOf: buffer.prefix(Int(min(length, 511))).map { UInt8(bitPattern: $0) })
    }
}
