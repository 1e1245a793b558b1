/// Checks and converts the bytes of a CSV file before parsing.
enum TextDecoding {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The length of a UTF-8 byte order mark at the very start of `bytes`: 3 or 0. A
    /// byte order mark anywhere else is ordinary data.
    static func byteOrderMarkLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF else { return 0 }
        return 3
    }

    static func startsWithUTF16Mark(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2 else { return false }
        return (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)
    }

    /// The offset of the first byte that does not begin a valid UTF-8 sequence, or nil.
    /// Overlong forms, surrogates and code points above U+10FFFF are invalid.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        var index = 0
        while index < count {
            if index + 8 <= count, base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            let lead = base.load(fromByteOffset: index, as: UInt8.self)
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; scalar = UInt32(lead & 0x07)
            default: return index
            }
            guard index + length <= count else { return index }
            for offset in 1..<length {
                let continuation = base.load(fromByteOffset: index + offset, as: UInt8.self)
                guard continuation & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            let overlong = (length == 3 && scalar < 0x800) || (length == 4 && scalar < 0x1_0000)
            if overlong || (0xD800...0xDFFF).contains(scalar) || scalar > 0x10_FFFF {
                return index
            }
            index += length
        }
        return nil
    }

    /// Converts Latin-1 or Windows-1252 bytes to UTF-8.
    static func convertToUTF8(_ bytes: UnsafeRawBufferPointer, from encoding: TextEncoding) -> OwnedBuffer {
        precondition(encoding != .utf8, "convertToUTF8 needs a single-byte encoding, got utf8")
        var outputCount = 0
        for byte in bytes {
            outputCount += utf8Length(of: scalar(for: byte, in: encoding))
        }
        let output = OwnedBuffer(byteCount: outputCount)
        var position = 0
        for byte in bytes {
            let value = scalar(for: byte, in: encoding)
            let length = utf8Length(of: value)
            switch length {
            case 1:
                output.base.storeBytes(of: UInt8(value), toByteOffset: position, as: UInt8.self)
            case 2:
                output.base.storeBytes(of: UInt8(0xC0 | value >> 6), toByteOffset: position, as: UInt8.self)
                output.base.storeBytes(of: UInt8(0x80 | value & 0x3F), toByteOffset: position + 1, as: UInt8.self)
            default:
                output.base.storeBytes(of: UInt8(0xE0 | value >> 12), toByteOffset: position, as: UInt8.self)
                output.base.storeBytes(of: UInt8(0x80 | (value >> 6) & 0x3F), toByteOffset: position + 1, as: UInt8.self)
                output.base.storeBytes(of: UInt8(0x80 | value & 0x3F), toByteOffset: position + 2, as: UInt8.self)
            }
            position += length
        }
        return output
    }

    private static func utf8Length(of scalar: UInt32) -> Int {
        scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : 3
    }

    private static func scalar(for byte: UInt8, in encoding: TextEncoding) -> UInt32 {
        if encoding == .cp1252, (0x80...0x9F).contains(byte) {
            return cp1252HighControls[Int(byte - 0x80)]
        }
        return UInt32(byte)
    }

    /// Windows-1252 code points of bytes 0x80–0x9F; 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
    /// undefined and keep their C1 control code point.
    private static let cp1252HighControls: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
