import Foundation
import MMCore
import Testing

@testable import MMReports

@Suite struct FixedDecimalTests {
    private func printf(_ value: Float) -> String {
        String(format: "%.6f", Double(value))
    }

    @Test func matchesPrintfOnEdgeCases() {
        let values: [Float] = [
            0, -0.0, 1, -1, 0.5, 0.1, 0.123456, -0.123456, 0.0000005, -0.0000005, 0.0000015, 0.0000025,
            1e-7, -1e-7, 0.9999995, 0.99999994, 123456.789, -98765.4321, .leastNonzeroMagnitude,
            .leastNormalMagnitude, -Float.leastNonzeroMagnitude, 1e12, 0x1p40, -0x1p41,
            .greatestFiniteMagnitude, .infinity, -.infinity, .nan,
        ]
        for value in values {
            #expect(FixedDecimal.sixDecimals(value) == printf(value), "value \(value)")
        }
    }

    @Test func matchesPrintfOnRandomFloats() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<200_000 {
            // Mix values in [−2, 2] with arbitrary bit patterns (tiny, huge and exact ties).
            let value: Float
            if random.next() & 1 == 0 {
                value = random.uniform(-2, 2)
            } else {
                value = Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))
            }
            let ours = FixedDecimal.sixDecimals(value)
            let reference = printf(value)
            if ours != reference {
                Issue.record("value \(value) (bits \(value.bitPattern)): \(ours) != \(reference)")
                return
            }
        }
    }

    @Test func halfwayCasesRoundToEven() {
        // 2^-21 · k are exact binary values whose sixth decimal is often an exact tie.
        for k in 0..<4_096 {
            let value = Float(k) * 0x1p-21
            #expect(FixedDecimal.sixDecimals(value) == printf(value), "k \(k)")
        }
    }
}
