import Foundation
import MMCore
import MMModel

/// `mmbatch model verify`: compares a model's outputs with reference tensors.
enum ModelCommand {
    static let verify = Command(
        definition: CommandDefinition(
            path: ["model", "verify"], summary: "cli.verify.summary",
            options: [
                .value("weights", "FILE", help: "cli.verify.weights"),
                .value("inputs", "FILE", help: "cli.verify.inputs"),
                .value("expected", "FILE", help: "cli.verify.expected"),
                .value("tolerance", "T", help: "cli.verify.tolerance"),
            ]),
        execute: executeVerify)

    static func executeVerify(_ arguments: ParsedArguments) throws -> ExitCode {
        let weights = URL(fileURLWithPath: try arguments.required("weights"))
        let inputs = URL(fileURLWithPath: try arguments.required("inputs"))
        let expected = URL(fileURLWithPath: try arguments.required("expected"))
        let tolerance = Float(try arguments.number("tolerance", default: 1e-4, range: 0...1))

        let result = try ModelVerification.verify(weights: weights, inputs: inputs, expected: expected, tolerance: tolerance)
        for comparison in result.comparisons {
            let verdict = localized(comparison.passed ? "cli.verify.pass" : "cli.verify.fail")
            output(String(format: "%-14@ %-12@ %.3e  %@", comparison.name, shapeText(comparison.shape),
                          Double(comparison.maximumAbsoluteError), verdict))
        }
        output(localized(result.passed ? "cli.verify.passed" : "cli.verify.failed", [
            "tolerance": String(format: "%.0e", Double(tolerance)),
        ]))
        return result.passed ? .success : .partial
    }

    private static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ",") + "]"
    }
}
