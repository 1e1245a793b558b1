import Foundation
import MMCore

/// Encoding of the reports' JSON files (`summary.json`, `training.json`,
/// `evaluation.json`). Keys are sorted, so the same figures always give the same bytes.
/// Instants are ISO 8601 UTC strings with milliseconds. Non-finite numbers become the
/// strings `"nan"`, `"inf"` and `"-inf"`, because JSON has no literal for them.
enum ReportJSON {
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(UTCTime(date).iso8601)
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return Array(try encoder.encode(value)) + [UInt8(ascii: "\n")]
        } catch {
            // Report values hold only strings, numbers, arrays and dates, which always
            // encode; a failure here is a bug in the value types.
            preconditionFailure("report JSON encoding failed: \(error)")
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = UTCTime.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an ISO 8601 UTC time, got \(text)")
            }
            return date
        }
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }
}

extension RunSummary {
    /// The summary as summary.json writes it, for storing with the run in the database.
    public func encodedJSON() -> [UInt8] {
        ReportJSON.encode(self)
    }

    /// Reads a summary written by `encodedJSON()` or found in summary.json.
    public static func decode(json data: Data) throws -> RunSummary {
        try ReportJSON.decode(RunSummary.self, from: data)
    }
}
