/// A fast 64-bit non-cryptographic hash for fingerprints and checksums of files and
/// buffers (catalogue fingerprints, cache integrity checks). It detects accidental
/// changes, not deliberate ones.
///
/// Eight-byte little-endian words are mixed with two multiplications each and the tail
/// is folded in by length, then the state goes through MurmurHash3's 64-bit finaliser.
/// Streaming updates give the same value as one call over the concatenated bytes.
public struct Hash64: Sendable {
    private var state: UInt64
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var length: UInt64 = 0

    private static let multiplier1: UInt64 = 0x87C3_7B91_1142_53D5
    private static let multiplier2: UInt64 = 0x4CF5_AD43_2745_937F

    public init(seed: UInt64 = 0x6D6D_6261_7463_6821) {
        state = seed
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        length &+= UInt64(buffer.count)
        var offset = 0

        while pendingCount > 0 && offset < buffer.count {
            pending |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << (8 * UInt64(pendingCount))
            pendingCount += 1
            offset += 1
            if pendingCount == 8 {
                mix(pending)
                pending = 0
                pendingCount = 0
            }
        }

        while offset + 8 <= buffer.count {
            mix(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }

        while offset < buffer.count {
            pending |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << (8 * UInt64(pendingCount))
            pendingCount += 1
            offset += 1
        }
    }

    public mutating func update<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) {
        update(bytes: text.utf8)
    }

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        var k = word &* Self.multiplier1
        k = (k << 31) | (k >> 33)
        state ^= k &* Self.multiplier2
        state = ((state << 27) | (state >> 37)) &* 5 &+ 0x52DC_E729
    }

    public func finalize() -> UInt64 {
        var copy = self
        if copy.pendingCount > 0 {
            copy.mix(copy.pending)
        }
        var h = copy.state ^ copy.length
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// The hash as 16 lowercase hexadecimal digits.
    public func hexDigest() -> String {
        let value = finalize()
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func of(_ bytes: [UInt8]) -> UInt64 {
        var hash = Hash64()
        bytes.withUnsafeBytes { hash.update($0) }
        return hash.finalize()
    }

    public static func of(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        var hash = Hash64()
        hash.update(buffer)
        return hash.finalize()
    }
}
