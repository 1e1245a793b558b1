import Foundation
import MMTestSupport
import Testing

@testable import MMModel

/// One reference set computed by PyTorch: weights, padded inputs and expected tensors.
struct ParityFixture {
    let name: String
    let weightsURL: URL
    let inputsURL: URL
    let expectedURL: URL
    let model: FusionModel
    let inputs: ReferenceInputs
    let expected: SafetensorsFile

    init(_ name: String) throws {
        self.name = name
        weightsURL = try SharedData.require("parity/\(name).weights.safetensors")
        inputsURL = try SharedData.require("parity/\(name).inputs.safetensors")
        expectedURL = try SharedData.require("parity/\(name).expected.safetensors")
        model = try FusionModel.load(from: weightsURL)
        inputs = try ReferenceInputs(file: try SafetensorsFile.read(from: inputsURL), dimensions: model.dimensions)
        expected = try SafetensorsFile.read(from: expectedURL)
    }

    func expectedTensor(_ name: String) throws -> [Float] {
        try #require(try expected.floats(name), "\(self.name) has no tensor \(name)")
    }

    var labels: [Int] { inputs.labels! }
    var targets: [Float?] { inputs.engagement!.map { $0 } }
}

/// Checks |actual − expected| ≤ max(absolute, relative·|expected|) element by element and
/// returns the worst ratio of error to allowance (≤ 1 passes).
@discardableResult
func expectClose(
    _ actual: [Float], _ expected: [Float], relative: Float, absolute: Float, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Float {
    #expect(actual.count == expected.count, "\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    var worst: Float = 0
    var worstIndex = 0
    for (index, (value, reference)) in zip(actual, expected).enumerated() {
        let allowance = max(absolute, relative * abs(reference))
        let ratio = abs(value - reference) / allowance
        if !(ratio <= worst) {
            worst = ratio
            worstIndex = index
        }
    }
    #expect(worst <= 1,
        "\(label): index \(worstIndex) is \(actual[worstIndex]), expected \(expected[worstIndex]) (error/allowance \(worst))",
        sourceLocation: sourceLocation)
    return worst
}
