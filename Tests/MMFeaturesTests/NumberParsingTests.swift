import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMFeatures

@Suite struct NumberParsingTests {
    private func parse(_ text: String) -> (NumberStatus, Float) {
        var value: Float = .nan
        let bytes = Array(text.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            NumberParsing.parseFloat(buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, buffer.count, &value)
        }
        return (status, value)
    }

    @Test func acceptedSyntax() {
        let cases: [(String, Float)] = [
            ("0", 0), ("-0", -0.0), ("+1", 1), ("1.", 1), (".5", 0.5), ("-.5", -0.5), ("007", 7),
            ("1e3", 1000), ("1E+3", 1000), ("1e-3", 0.001), ("2.5E+01", 25), ("0e999", 0),
            ("16777216", 16_777_216), ("16777217", 16_777_216), ("0.000000000001", 1e-12),
        ]
        for (text, expected) in cases {
            let (status, value) = parse(text)
            #expect(status == .ok, "\(text)")
            #expect(value.bitPattern == expected.bitPattern, "\(text) gave \(value)")
        }
    }

    @Test func rejectedSyntax() {
        let cases: [(String, NumberStatus)] = [
            ("", .empty), ("-", .notANumber), (".", .notANumber), ("e5", .notANumber), ("1e", .notANumber),
            ("1e+", .notANumber), ("1.2.3", .notANumber), ("1 2", .notANumber), (" 1", .notANumber),
            ("0x10", .notANumber), ("1,5", .decimalComma), ("-0,25", .decimalComma), ("1,234.5", .notANumber),
            ("nan", .notFinite), ("-NaN", .notFinite), ("inf", .notFinite), ("-Infinity", .notFinite),
            ("INF", .notFinite), ("1.#QNAN", .notFinite), ("1e999", .outOfRange), ("-3.5e38", .outOfRange),
            ("340282356779733661637539395458142568448", .outOfRange),
        ]
        for (text, expected) in cases {
            #expect(parse(text).0 == expected, "\(text)")
        }
    }

    @Test func largestFloatAccepted() {
        let (status, value) = parse("3.4028234e38")
        #expect(status == .ok)
        #expect(value == .greatestFiniteMagnitude)
    }

    @Test func subnormalAndUnderflow() {
        let (status, value) = parse("1e-40")
        #expect(status == .subnormal)
        #expect(value == Float("1e-40"))
        #expect(parse("1.4e-45").0 == .subnormal)
        #expect(parse("1e-46") == (.underflow, 0))
        #expect(parse("-1e-46").1.sign == .minus)
    }

    /// Compares with `Float(String)`, which rounds correctly through `strtof`, on random
    /// decimal strings of every shape the exact path and the `strtof` path handle.
    @Test func randomNumbersRoundLikeStrtof() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<200_000 {
            let digits = 1 + random.index(below: 20)
            var mantissa = ""
            for position in 0..<digits {
                mantissa.append(Character(String(position == 0 ? 1 + random.index(below: 9) : random.index(below: 10))))
            }
            let point = random.index(below: digits + 1)
            var text = String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if random.index(below: 2) == 0 {
                text += "e" + String(random.index(below: 80) - 45)
            }
            if random.index(below: 2) == 0 {
                text = "-" + text
            }
            let expected = Float(text)!
            let (status, value) = parse(text)
            guard expected.isFinite else {
                #expect(status == .outOfRange, "\(text)")
                continue
            }
            #expect(value.bitPattern == expected.bitPattern, "\(text): \(value) != \(expected)")
        }
    }

    @Test func prefixStopsAtDelimiter() {
        let bytes = Array("-12.5e1,7".utf8)
        var value: Float = 0
        bytes.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            let (status, stop) = NumberParsing.parseFloatPrefix(start, start + buffer.count, &value)
            #expect(status == .ok)
            #expect(start.distance(to: stop) == 7)
        }
        #expect(value == -125)
    }

    @Test func positiveIntegers() {
        func integer(_ text: String) -> Int? {
            Array(text.utf8).withUnsafeBufferPointer { NumberParsing.parsePositiveInteger($0.baseAddress!, $0.count) }
        }
        #expect(integer("1") == 1)
        #expect(integer("+42") == 42)
        #expect(integer("2147483647") == 2_147_483_647)
        #expect(integer("2147483648") == nil)
        #expect(integer("0") == nil)
        #expect(integer("-1") == nil)
        #expect(integer("1.0") == nil)
        #expect(integer("1e3") == nil)
        #expect(integer("+") == nil)
    }
}

/// Random tables of every tokenizer feature, read by both tokenizers.
@Suite struct TokenizerParityTests {
    @Test(arguments: 0..<40)
    func randomTableSameInBothTokenizers(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let pieces = ["1", "-2.5", "3e-2", "  4 ", "\t5", "", "x", "nan", "1e999", "1e-40", ".5", "6,", "0.25"]
        let breaks = ["\n", "\r\n", "\r", "\n\n", "\n \n"]
        let columns = 1 + random.index(below: 4)
        var text = "id," + (0..<columns).map { "c\($0)" }.joined(separator: ",") + breaks[random.index(below: 2)]
        for row in 0..<(20 + random.index(below: 40)) {
            var cells = [random.index(below: 10) == 0 ? "" : "r\(random.index(below: 30))"]
            let count = random.index(below: 8) == 0 ? columns + random.index(below: 3) - 1 : columns
            for _ in 0..<max(0, count) {
                cells.append(pieces[random.index(below: pieces.count)])
            }
            text += cells.joined(separator: ",")
            if row % 17 != 16 {
                text += breaks[random.index(below: breaks.count)]
            }
        }
        let tables = TestTables()
        let store = try tables.store(text, options: TestTables.options(id: "id"))
        #expect(store.quality.rowsRead >= store.count)
    }
}
