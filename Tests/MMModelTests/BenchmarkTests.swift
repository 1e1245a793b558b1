import Foundation
import MMCore
import Testing

@testable import MMModel

extension BLASSettingTests {
@Suite struct Benchmark {
    @Test func referenceFLOPsPerUser() {
        let concat = ModelDimensions.reference.forwardFLOPsPerUser(variant: .concat)
        #expect(concat == 3_419_136)
        let textOnly = ModelDimensions(text: 57, image: 0, audio: 0, hidden: 16, genres: 10)
        let textOnlyProducts: Int = 57 * 16 + 16 * 16 + 16 * 10 + 16
        #expect(textOnly.forwardFLOPsPerUser(variant: .attention) == Double(2 * textOnlyProducts))

        let attention = ModelDimensions.reference.forwardFLOPs(variant: .attention, users: 2, distinctTracks: 3)
        let perTrack: Int = 1024 * 512 + 4 * 512 * 512 + 256 * 512
        let perUser: Int = 512 * 512 + 2 * 512 * 512 + 1536 * 512 + 512 * 10 + 512
        #expect(attention == Double(2 * (3 * perTrack + 2 * perUser)))
    }

    @Test func sgemmPeakIsPositive() {
        let dimensions = ModelDimensions(text: 16, image: 8, audio: 8, hidden: 16, genres: 4)
        let rate = sgemmPeak(dimensions: dimensions, batchSize: 8, seconds: 0.01)
        #expect(rate > 0)
        #expect(rate.isFinite)
    }

    /// Prints the forward pass's rate against the sgemm rate at the same layer shapes,
    /// with one BLAS thread as the pipeline runs. Set MMBATCH_BENCH=1 to run it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MMBATCH_BENCH"] == "1"))
    func forwardRateAgainstSgemm() {
        let previous = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(previous) }
        let dimensions = ModelDimensions.reference
        let users = 256
        for variant in ModelVariant.allCases {
            for tracks in [16, 32] {
                var random = SeededRandom(seed: 3)
                let model = FusionModel.initialised(
                    variant: variant, dimensions: dimensions, genres: (0..<10).map { "g\($0)" }, random: &random)
                let batch = randomBatch(
                    for: dimensions, tracksPerUser: Array(repeating: tracks, count: users),
                    distinctTracks: users * tracks)
                let distinct = Set(batch.trackIndices).count
                let workspace = ForwardWorkspace()
                var output = ModelOutput()
                model.forward(batch, workspace: workspace, into: &output)
                var passes = 0
                let start = monotonicSeconds()
                while monotonicSeconds() - start < 3 {
                    model.forward(batch, workspace: workspace, into: &output)
                    passes += 1
                }
                let elapsed = monotonicSeconds() - start
                let flops = dimensions.forwardFLOPs(variant: variant, users: users, distinctTracks: batch.trackCount)
                let rate = flops * Double(passes) / elapsed / 1e9
                let peak = sgemmPeak(dimensions: dimensions, batchSize: users, seconds: 3, variant: variant,
                    tracksPerUser: tracks)
                print("\(variant) tracks/user \(tracks) (distinct \(distinct)): forward \(rate) GFLOP/s, "
                    + "sgemm \(peak) GFLOP/s, ratio \(rate / peak), \(Double(users * passes) / elapsed) users/s")
            }
        }
    }
}
}
