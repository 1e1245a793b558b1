import Foundation
import MMCore

/// Element types that a safetensors header may name, with their size in bytes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64"

    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: 1
        case .u16, .i16, .f16, .bf16: 2
        case .u32, .i32, .f32: 4
        case .u64, .i64, .f64: 8
        }
    }
}

/// One tensor entry of a safetensors header.
public struct SafetensorsTensor: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range of the raw little-endian data inside the whole file.
    let byteRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A safetensors file read into memory and validated.
///
/// Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON that map each
/// tensor name to `dtype`, `shape` and `data_offsets` [begin, end) relative to the data
/// section, an optional `__metadata__` object of string pairs, then the data section.
/// Reading checks that the header length fits the file, that every tensor's byte count
/// equals product(shape) × dtype size, that offsets stay inside the data section and that
/// tensors do not overlap.
public struct SafetensorsFile: Sendable {
    /// Largest header accepted, the same limit as the reference Rust implementation.
    public static let maximumHeaderLength = 100_000_000

    public let path: String
    public let metadata: [String: String]
    public let tensors: [String: SafetensorsTensor]
    private let bytes: [UInt8]

    /// Reads and validates the file at `url`.
    public static func read(from url: URL) throws(ModelError) -> SafetensorsFile {
        let bytes = try readWholeFile(url.path)
        return try SafetensorsFile(parsing: bytes, path: url.path)
    }

    /// Validates `bytes` as a safetensors file; `path` names it in errors.
    public init(parsing bytes: [UInt8], path: String) throws(ModelError) {
        self.path = path
        self.bytes = bytes

        guard bytes.count >= 8 else {
            throw ModelError("model.safetensors.tooShort", ["path": path, "size": "\(bytes.count)"])
        }
        var headerLength: UInt64 = 0
        for index in 0..<8 {
            headerLength |= UInt64(bytes[index]) << (8 * UInt64(index))
        }
        guard headerLength >= 2, headerLength <= UInt64(Self.maximumHeaderLength),
            headerLength <= UInt64(bytes.count - 8)
        else {
            throw ModelError(
                "model.safetensors.headerLength",
                ["path": path, "length": "\(headerLength)", "size": "\(bytes.count)"])
        }
        let dataStart = 8 + Int(headerLength)
        let header = try Self.parseHeader(Array(bytes[8..<dataStart]), path: path)

        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensor] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, path: path)
            } else {
                tensors[name] = try Self.parseTensor(
                    name: name, value: value, dataStart: dataStart, dataSize: bytes.count - dataStart,
                    path: path)
            }
        }
        try Self.checkOverlaps(tensors.values, path: path)
        self.metadata = metadata
        self.tensors = tensors
    }

    // MARK: - Tensor data

    /// Returns the tensor's values as `Float`, converted from F32, F64 or I64; nil when the file
    /// has no tensor of that name.
    public func floats(_ name: String) throws(ModelError) -> [Float]? {
        guard let tensor = tensors[name] else { return nil }
        let start = tensor.byteRange.lowerBound
        let count = tensor.elementCount
        guard [.f32, .f64, .i64].contains(tensor.dtype) else {
            throw ModelError(
                "model.safetensors.dtype", ["path": path, "tensor": name, "dtype": tensor.dtype.rawValue])
        }
        return bytes.withUnsafeBytes { raw in
            switch tensor.dtype {
            case .f32:
                return (0..<count).map { index in
                    let bits = raw.loadUnaligned(fromByteOffset: start + 4 * index, as: UInt32.self)
                    return Float(bitPattern: UInt32(littleEndian: bits))
                }
            case .f64:
                return (0..<count).map { index in
                    let bits = raw.loadUnaligned(fromByteOffset: start + 8 * index, as: UInt64.self)
                    return Float(Double(bitPattern: UInt64(littleEndian: bits)))
                }
            default:
                return (0..<count).map { index in
                    Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * index, as: Int64.self)))
                }
            }
        }
    }

    /// Returns the tensor's values as integers, converted from I64 (or from integral F32/F64
    /// values); nil when the file has no tensor of that name.
    public func integers(_ name: String) throws(ModelError) -> [Int]? {
        guard let tensor = tensors[name] else { return nil }
        if tensor.dtype == .i64 {
            let start = tensor.byteRange.lowerBound
            return bytes.withUnsafeBytes { raw in
                (0..<tensor.elementCount).map { index in
                    Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * index, as: Int64.self)))
                }
            }
        }
        guard let values = try floats(name) else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            guard value.isFinite, value.rounded() == value else {
                throw ModelError(
                    "model.safetensors.notInteger",
                    ["path": path, "tensor": name, "index": "\(index)", "value": "\(value)"])
            }
            result.append(Int(value))
        }
        return result
    }

    // MARK: - Header validation

    private static func parseHeader(_ header: [UInt8], path: String) throws(ModelError) -> [String: Any] {
        guard String(validating: header, as: UTF8.self) != nil,
            let object = try? JSONSerialization.jsonObject(with: Data(header)),
            let dictionary = object as? [String: Any]
        else {
            throw ModelError("model.safetensors.headerJSON", ["path": path])
        }
        return dictionary
    }

    private static func parseMetadata(_ value: Any, path: String) throws(ModelError) -> [String: String] {
        guard let object = value as? [String: Any] else {
            throw ModelError("model.safetensors.metadata", ["path": path, "key": "__metadata__"])
        }
        var metadata: [String: String] = [:]
        for (key, entry) in object {
            guard let text = entry as? String else {
                throw ModelError("model.safetensors.metadata", ["path": path, "key": key])
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseTensor(
        name: String, value: Any, dataStart: Int, dataSize: Int, path: String
    ) throws(ModelError) -> SafetensorsTensor {
        func invalid(_ field: String) -> ModelError {
            ModelError("model.safetensors.entry", ["path": path, "tensor": name, "field": field])
        }
        guard let entry = value as? [String: Any] else { throw invalid("dtype") }
        guard let dtypeName = entry["dtype"] as? String, let dtype = SafetensorsDType(rawValue: dtypeName)
        else { throw invalid("dtype") }
        guard let shapeValues = entry["shape"] as? [Any] else { throw invalid("shape") }
        var shape: [Int] = []
        for item in shapeValues {
            guard let extent = exactInteger(item), extent >= 0 else { throw invalid("shape") }
            shape.append(extent)
        }
        guard let offsets = entry["data_offsets"] as? [Any], offsets.count == 2,
            let begin = exactInteger(offsets[0]), let end = exactInteger(offsets[1])
        else { throw invalid("data_offsets") }

        guard begin >= 0, begin <= end, end <= dataSize else {
            throw ModelError(
                "model.safetensors.offsets",
                ["path": path, "tensor": name, "begin": "\(begin)", "end": "\(end)", "size": "\(dataSize)"])
        }
        var expected = dtype.byteSize
        for extent in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw invalid("shape") }
            expected = product
        }
        guard end - begin == expected else {
            throw ModelError(
                "model.safetensors.size",
                [
                    "path": path, "tensor": name, "bytes": "\(end - begin)", "shape": describeShape(shape),
                    "dtype": dtype.rawValue, "expected": "\(expected)",
                ])
        }
        return SafetensorsTensor(name: name, dtype: dtype, shape: shape, byteRange: (dataStart + begin)..<(dataStart + end))
    }

    private static func checkOverlaps(
        _ tensors: Dictionary<String, SafetensorsTensor>.Values, path: String
    ) throws(ModelError) {
        let ordered = tensors.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (first, second) in zip(ordered, ordered.dropFirst())
        where second.byteRange.lowerBound < first.byteRange.upperBound {
            throw ModelError(
                "model.safetensors.overlap", ["path": path, "first": first.name, "second": second.name])
        }
    }

    /// Converts a JSON number to an integer, rejecting fractions.
    ///
    /// NOTE: Foundation on Linux parses `true` and `false` as NSNumber 1 and 0, so a
    /// boolean extent or offset is read as that integer.
    private static func exactInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return number.intValue
    }
}

/// Reads a whole file, reporting a missing or unreadable file as bad input.
func readWholeFile(_ path: String) throws(ModelError) -> [UInt8] {
    func failure(_ code: Int32) -> ModelError {
        ModelError("model.file.unreadable", ["path": path, "reason": String(cString: strerror(code))])
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw failure(errno) }
    defer { close(descriptor) }

    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw failure(errno) }
    guard (status.st_mode & S_IFMT) != S_IFDIR else { throw failure(EISDIR) }
    guard (status.st_mode & S_IFMT) == S_IFREG else { throw failure(EINVAL) }

    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeMutableBytes { raw in
            Glibc.read(descriptor, raw.baseAddress! + offset, raw.count - offset)
        }
        if count < 0 {
            if errno == EINTR { continue }
            throw failure(errno)
        }
        if count == 0 { break }
        offset += count
    }
    if offset < bytes.count {
        bytes.removeLast(bytes.count - offset)
    }
    return bytes
}
