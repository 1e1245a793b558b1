import Testing

@testable import MMModel

extension BLASSettingTests {
@Suite struct ThreadCount {
    @Test func threadCountIsSettable() {
        let previous = BLAS.threadCount
        BLAS.setThreadCount(1)
        #expect(BLAS.threadCount == 1)
        BLAS.setThreadCount(previous)
        #expect(!BLAS.coreName.isEmpty)
    }
}
}
