import MMTestSupport
import Testing

@Suite(.serialized) struct VersionTests {
    @Test func binaryRuns() throws {
        let output = try BuiltBinary.run([])
        #expect(output.status == 0)
        #expect(output.stdout.hasPrefix("mmbatch "))
    }
}
