import Foundation
import MMCore
import MMTestSupport
import Testing

@testable import MMModel

/// Builds a safetensors file from a raw JSON header and data bytes, for malformed cases.
func rawSafetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    let length = declaredLength ?? UInt64(headerBytes.count)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    bytes += headerBytes + data
    return bytes
}

@Suite struct SafetensorsTests {
    @Test func roundTripKeepsValuesAndMetadata() throws {
        let folder = TemporaryDirectory("safetensors")
        let url = folder.path("t.safetensors")
        let tensors = [
            NamedTensor(name: "b", shape: [2, 3], values: [1, -2, 3.5, 0, .leastNonzeroMagnitude, -0.0]),
            NamedTensor(name: "a", shape: [1], values: [42]),
            NamedTensor(name: "empty", shape: [0, 4], values: []),
        ]
        try SafetensorsWriter.write(tensors, metadata: ["z": "last", "a": "quote \" and\nnewline"], to: url)

        let file = try SafetensorsFile.read(from: url)
        #expect(file.metadata == ["z": "last", "a": "quote \" and\nnewline"])
        #expect(file.tensors["b"]?.shape == [2, 3])
        #expect(file.tensors["b"]?.dtype == .f32)
        #expect(try file.floats("b") == tensors[0].values)
        #expect(try file.floats("a") == [42])
        #expect(try file.floats("empty") == [])
        #expect(try file.floats("missing") == nil)
    }

    @Test func encodingIsDeterministicAndAligned() {
        let first = [
            NamedTensor(name: "x.weight", shape: [2, 2], values: [1, 2, 3, 4]),
            NamedTensor(name: "x.bias", shape: [2], values: [5, 6]),
        ]
        let bytes = SafetensorsWriter.encode(first, metadata: ["b": "2", "a": "1"])
        let reordered = SafetensorsWriter.encode(first.reversed(), metadata: ["a": "1", "b": "2"])
        #expect(bytes == reordered)

        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"a":"1","b":"2"},"x.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#))
        #expect(bytes.count == 8 + headerLength + 24)
        // Little-endian 5.0 starts the data section.
        #expect(Array(bytes[(8 + headerLength)..<(12 + headerLength)]) == [0, 0, 0xA0, 0x40])
    }

    @Test func readsF64AndI64() throws {
        var data: [UInt8] = []
        for value in [1.5, -2.25] {
            data += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
        }
        for value: Int64 in [7, -3] {
            data += withUnsafeBytes(of: value.littleEndian, Array.init)
        }
        let header = #"{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"i":{"dtype":"I64","shape":[2],"data_offsets":[16,32]}}"#
        let file = try SafetensorsFile(parsing: rawSafetensors(header: header, data: data), path: "x.safetensors")
        #expect(try file.floats("d") == [1.5, -2.25])
        #expect(try file.integers("i") == [7, -3])
        #expect(try file.floats("i") == [7, -3])
    }

    @Test(arguments: [
        ("short", "model.safetensors.tooShort"),
        ("length", "model.safetensors.headerLength"),
        ("json", "model.safetensors.headerJSON"),
        ("dtype", "model.safetensors.entry"),
        ("shape", "model.safetensors.entry"),
        ("offsets", "model.safetensors.offsets"),
        ("size", "model.safetensors.size"),
        ("overlap", "model.safetensors.overlap"),
        ("metadata", "model.safetensors.metadata"),
    ])
    func malformedFileRejected(kind: String, key: String) throws {
        let data = [UInt8](repeating: 0, count: 16)
        let bytes: [UInt8] =
            switch kind {
            case "short": [1, 0, 0]
            case "length": rawSafetensors(header: "{}", declaredLength: 1 << 40)
            case "json": rawSafetensors(header: "{not json}")
            case "dtype": rawSafetensors(header: #"{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}"#, data: data)
            case "shape": rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: data)
            case "offsets": rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]}}"#, data: data)
            case "size": rawSafetensors(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: data)
            case "overlap":
                rawSafetensors(
                    header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                    data: data)
            default: rawSafetensors(header: #"{"__metadata__":{"k":3}}"#)
            }
        let folder = TemporaryDirectory("malformed")
        let url = folder.write("bad.safetensors", bytes: bytes)
        let error = try #require(throws: ModelError.self) { try SafetensorsFile.read(from: url) }
        #expect(error.message.key == key)
        #expect(error.exitCode == .badInput)
        #expect(error.message.text(in: .english).contains(url.path))
    }

    @Test func missingFileNamesPath() throws {
        let folder = TemporaryDirectory("missing")
        let url = folder.path("absent.safetensors")
        let error = try #require(throws: ModelError.self) { try SafetensorsFile.read(from: url) }
        #expect(error.message.key == "model.file.unreadable")
        #expect(error.exitCode == .badInput)
        #expect(error.message.text(in: .english).contains("absent.safetensors"))
        #expect(error.message.text(in: .english).contains("No such file"))
    }

    @Test func unsupportedDtypeConversionRejected() throws {
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        let file = try SafetensorsFile(parsing: rawSafetensors(header: header, data: [0, 0, 0, 0]), path: "h.safetensors")
        let error = try #require(throws: ModelError.self) { try file.floats("h") }
        #expect(error.message.key == "model.safetensors.dtype")
        #expect(error.message.text(in: .english).contains("F16"))
    }
}
