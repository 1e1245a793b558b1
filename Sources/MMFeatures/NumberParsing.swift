import Foundation

/// The outcome of reading one numeric cell.
enum NumberStatus: UInt8 {
    case ok
    /// Accepted, and the float is subnormal.
    case subnormal
    /// Accepted as zero: nonzero, but below the smallest subnormal float.
    case underflow
    case empty
    case notANumber
    case decimalComma
    case notFinite
    case outOfRange

    var badRowReason: BadRowReason? {
        switch self {
        case .ok, .subnormal, .underflow: nil
        case .empty: .emptyCell
        case .notANumber: .notANumber
        case .decimalComma: .decimalComma
        case .notFinite: .notFinite
        case .outOfRange: .outOfRange
        }
    }
}

/// Reads numbers from raw bytes, without a `String` per cell.
///
/// Accepted syntax: `[+-]? digits [. digits]? ([eE] [+-]? digits)?` with at least one
/// digit in the mantissa (`.5` and `5.` are accepted). Everything else is rejected,
/// notably `nan`, `inf` and hex floats, which `strtof` and `Float(String)` accept.
enum NumberParsing {
    /// 10^power for power in 0...10, each exact in a Float (5^10 = 9,765,625 < 2^24). A
    /// switch rather than a global array, which would cost a lazy-initialisation check
    /// on every call.
    @inline(__always)
    private static func powerOfTen(_ power: Int) -> Float {
        switch power {
        case 0: 1
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        default: 1e10
        }
    }

    /// Reads up to eight decimal digits at `position` and returns their value and count.
    ///
    /// With eight bytes available it works on one 64-bit word. Subtracting `0x30` from
    /// every byte leaves 0...9 in digit bytes, and the first byte that is not a digit gets
    /// its high bit set (a borrow or carry only disturbs the bytes after it). Three
    /// multiplications then combine the digits, as the fast_float library's
    /// `parse_eight_digits_unrolled` does.
    @inline(__always)
    private static func digitRun(_ position: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> (UInt64, Int) {
        if position.distance(to: end) >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(position).loadUnaligned(as: UInt64.self))
            let values = word &- 0x3030_3030_3030_3030
            let nonDigits = (values | (values &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
            let count = nonDigits.trailingZeroBitCount >> 3
            if count == 0 {
                return (0, 0)
            }
            // Moving the digits to the top bytes turns the vacated low bytes into
            // leading zeros, so the eight-digit formula also reads fewer digits.
            let pairMask: UInt64 = 0x0000_00FF_0000_00FF
            let highMultiplier: UInt64 = 100 + (1_000_000 << 32)
            let lowMultiplier: UInt64 = 1 + (10_000 << 32)
            var combined: UInt64 = values << UInt64((8 - count) * 8)
            combined = combined &* 10 &+ (combined >> 8)
            let high: UInt64 = (combined & pairMask) &* highMultiplier
            let low: UInt64 = ((combined >> 16) & pairMask) &* lowMultiplier
            return (((high &+ low) >> 32) & 0xFFFF_FFFF, count)
        }
        var value: UInt64 = 0
        var count = 0
        while count < 8 && position + count < end {
            let digit = position[count] &- 48
            if digit > 9 { break }
            value = value &* 10 &+ UInt64(digit)
            count += 1
        }
        return (value, count)
    }

    /// 10^power for power in 1...8.
    @inline(__always)
    private static func powerOfTenInteger(_ power: Int) -> UInt64 {
        switch power {
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        default: 100_000_000
        }
    }

    /// Parses the decimal number in `start[0..<count]` into `result`.
    ///
    /// A mantissa of at most 2^24 with a decimal exponent in -10...10 takes the exact
    /// path: both operands are exact Floats, so one IEEE multiplication or division gives
    /// the correctly rounded value. Other numbers go through `strtof` on a normalised
    /// copy (digits and an exponent, no decimal point, so the C locale's decimal separator
    /// cannot matter), which also rounds correctly.
    @inline(__always)
    static func parseFloat(_ start: UnsafePointer<UInt8>, _ count: Int, _ result: inout Float) -> NumberStatus {
        if count == 0 {
            return .empty
        }
        let (status, stop) = parseFloatPrefix(start, start + count, &result)
        guard stop == start + count else {
            return classifyInvalid(start, count)
        }
        return status
    }

    /// Parses the longest number that starts at `start` (and ends at or before `end`)
    /// into `result`, and returns the status and the position after the number. A
    /// status other than `.ok`, `.subnormal` and `.underflow` means `start` does not
    /// begin a number; the position is then meaningless.
    ///
    /// `parseFloat` is this function plus the demand that the number fills the cell, so
    /// a caller that finds the number ends exactly where the cell ends gets the same
    /// value as `parseFloat` on the cell.
    @inline(__always)
    static func parseFloatPrefix(
        _ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>, _ result: inout Float
    ) -> (NumberStatus, UnsafePointer<UInt8>) {
        var position = start
        var negative = false
        if position < end {
            if position.pointee == UInt8(ascii: "-") {
                negative = true
                position += 1
            } else if position.pointee == UInt8(ascii: "+") {
                position += 1
            }
        }

        // Digits are read up to eight at a time. `digits` counts every mantissa digit,
        // leading zeros too, so the mantissa stays below 10^19; a longer mantissa is
        // marked truncated and left to `strtof`.
        var mantissa: UInt64 = 0
        var digits = 0
        var truncated = false
        var exponent = 0
        var sawDigit = false

        while true {
            let (run, count) = digitRun(position, end)
            if count == 0 { break }
            sawDigit = true
            if digits + count <= 19 {
                mantissa = mantissa &* powerOfTenInteger(count) &+ run
                digits += count
            } else {
                truncated = true
            }
            position += count
            if count < 8 { break }
        }
        if position < end && position.pointee == UInt8(ascii: ".") {
            position += 1
            while true {
                let (run, count) = digitRun(position, end)
                if count == 0 { break }
                sawDigit = true
                if digits + count <= 19 {
                    mantissa = mantissa &* powerOfTenInteger(count) &+ run
                    digits += count
                    exponent -= count
                } else {
                    truncated = true
                }
                position += count
                if count < 8 { break }
            }
        }
        guard sawDigit else {
            return (.notANumber, position)
        }

        if position < end && position.pointee | 0x20 == UInt8(ascii: "e") {
            var cursor = position + 1
            var exponentNegative = false
            if cursor < end && (cursor.pointee == UInt8(ascii: "-") || cursor.pointee == UInt8(ascii: "+")) {
                exponentNegative = cursor.pointee == UInt8(ascii: "-")
                cursor += 1
            }
            var explicit = 0
            var sawExponentDigit = false
            while cursor < end {
                let digit = cursor.pointee &- 48
                if digit > 9 { break }
                sawExponentDigit = true
                if explicit < 100_000 {
                    explicit = explicit * 10 + Int(digit)
                }
                cursor += 1
            }
            // Without digits the `e` is not part of the number.
            if sawExponentDigit {
                exponent += exponentNegative ? -explicit : explicit
                position = cursor
            }
        }

        if truncated {
            return (parseWithStrtof(start, start.distance(to: position), &result), position)
        }
        if mantissa == 0 {
            result = negative ? -0.0 : 0.0
            return (.ok, position)
        }
        if mantissa <= 1 << 24 && exponent >= -10 && exponent <= 10 {
            var value = Float(mantissa)
            value = exponent >= 0 ? value * powerOfTen(exponent) : value / powerOfTen(-exponent)
            result = negative ? -value : value
            return (.ok, position)
        }
        return (parseWithStrtof(start, start.distance(to: position), &result), position)
    }

    /// Parses long mantissas and large exponents with `strtof`, which rounds correctly.
    @inline(never)
    private static func parseWithStrtof(_ start: UnsafePointer<UInt8>, _ count: Int, _ result: inout Float) -> NumberStatus {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 24) { buffer in
            var length = 0
            var fractionDigits = 0
            var inFraction = false
            var explicitExponent = 0
            var index = 0
            while index < count {
                let byte = start[index]
                if byte == UInt8(ascii: ".") {
                    inFraction = true
                } else if byte | 0x20 == UInt8(ascii: "e") {
                    explicitExponent = parseExponent(start + index + 1, count - index - 1)
                    break
                } else {
                    buffer[length] = CChar(bitPattern: byte)
                    length += 1
                    if inFraction && byte != UInt8(ascii: "-") && byte != UInt8(ascii: "+") {
                        fractionDigits += 1
                    }
                }
                index += 1
            }
            buffer[length] = CChar(bitPattern: UInt8(ascii: "e"))
            length += 1
            var decimalExponent = explicitExponent - fractionDigits
            if decimalExponent < 0 {
                buffer[length] = CChar(bitPattern: UInt8(ascii: "-"))
                length += 1
                decimalExponent = -decimalExponent
            }
            let firstDigit = length
            repeat {
                buffer[length] = CChar(bitPattern: UInt8(48 + decimalExponent % 10))
                length += 1
                decimalExponent /= 10
            } while decimalExponent > 0
            var low = firstDigit
            var high = length - 1
            while low < high {
                buffer.swapAt(low, high)
                low += 1
                high -= 1
            }
            buffer[length] = 0

            let value = strtof(buffer.baseAddress!, nil)
            if value.isInfinite {
                return .outOfRange
            }
            result = value
            if value == 0 {
                return .underflow
            }
            return value.isSubnormal ? .subnormal : .ok
        }
    }

    /// Parses an already validated exponent, saturated at ±1,000,000.
    private static func parseExponent(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var index = 0
        var negative = false
        if index < count && (start[index] == UInt8(ascii: "-") || start[index] == UInt8(ascii: "+")) {
            negative = start[index] == UInt8(ascii: "-")
            index += 1
        }
        var value = 0
        while index < count {
            if value < 1_000_000 {
                value = value * 10 + Int(start[index] - 48)
            }
            index += 1
        }
        return negative ? -value : value
    }

    /// Tells a NaN or infinity spelling and a decimal comma from other text.
    @inline(never)
    private static func classifyInvalid(_ start: UnsafePointer<UInt8>, _ count: Int) -> NumberStatus {
        let bytes = UnsafeBufferPointer(start: start, count: count)
        var text = String(decoding: bytes, as: UTF8.self).lowercased()
        if text.hasPrefix("-") || text.hasPrefix("+") {
            text.removeFirst()
        }
        let nonFinite = ["nan", "inf", "infinity", "snan", "qnan", "nanq", "nans"]
        if nonFinite.contains(text) || text.hasPrefix("nan(") || text.hasPrefix("1.#") {
            return .notFinite
        }
        if bytes.lazy.filter({ $0 == UInt8(ascii: ",") }).count == 1 {
            var swapped = Array(bytes)
            swapped[swapped.firstIndex(of: UInt8(ascii: ","))!] = UInt8(ascii: ".")
            var ignored: Float = 0
            let status = swapped.withUnsafeBufferPointer { parseFloat($0.baseAddress!, $0.count, &ignored) }
            if status == .ok || status == .subnormal || status == .underflow || status == .outOfRange {
                return .decimalComma
            }
        }
        return .notANumber
    }

    /// Parses a positive integer no greater than Int32.max (a play count). Accepts an
    /// optional `+` and leading zeros; rejects signs, decimals and exponents.
    @inline(__always)
    static func parsePositiveInteger(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        var index = 0
        if count > 0 && start[0] == UInt8(ascii: "+") {
            index = 1
        }
        guard index < count else { return nil }
        var value = 0
        while index < count {
            let digit = start[index] &- 48
            guard digit <= 9 else { return nil }
            value = value * 10 + Int(digit)
            guard value <= Int(Int32.max) else { return nil }
            index += 1
        }
        return value > 0 ? value : nil
    }
}
