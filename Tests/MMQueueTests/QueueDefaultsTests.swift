import Testing

@testable import MMQueue

@Suite struct QueueDefaultsTests {
    @Test func heartbeatWellInsideLease() {
        #expect(QueueDefaults.heartbeatSeconds * 3 <= QueueDefaults.leaseSeconds)
    }
}
