import Foundation
import MMCore

/// A named F32 tensor to write.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(
            shape.reduce(1, *) == values.count,
            "tensor \(name) has \(values.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// Encodes F32 tensors as safetensors, deterministically: tensors and metadata keys in
/// sorted order, data in that same order without gaps, and the JSON header padded with
/// spaces to a multiple of 8 bytes so the data section stays aligned. The same tensors
/// and metadata therefore always give the same bytes.
public enum SafetensorsWriter {
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String]) -> [UInt8] {
        let ordered = tensors.sorted { $0.name < $1.name }
        precondition(
            Set(ordered.map(\.name)).count == ordered.count, "duplicate tensor names in \(ordered.map(\.name))")

        var header = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                jsonString(key) + ":" + jsonString(metadata[key]!)
            }
            entries.append(jsonString("__metadata__") + ":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for tensor in ordered {
            let end = offset + 4 * tensor.values.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                jsonString(tensor.name) + ":{\"dtype\":\"F32\",\"shape\":[" + shape
                    + "],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += entries.joined(separator: ",") + "}"

        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 {
            headerBytes.append(UInt8(ascii: " "))
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        for index in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(index))))
        }
        bytes.append(contentsOf: headerBytes)
        for tensor in ordered {
            for value in tensor.values {
                let bits = value.bitPattern
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        }
        return bytes
    }

    /// Writes the encoded file to `url` through a temporary file and a rename.
    public static func write(
        _ tensors: [NamedTensor], metadata: [String: String], to url: URL
    ) throws(OutputError) {
        try AtomicFile.write(bytes: encode(tensors, metadata: metadata), to: url)
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
