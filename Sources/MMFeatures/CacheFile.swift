import Foundation
import MMCore

/// The kind of table in a cache file.
enum CacheKind: UInt32 {
    case featureStore = 1
    case listenStore = 2
}

/// One named byte range of a cache file.
struct CacheSection {
    /// Four ASCII characters, such as `VECS`.
    var tag: String
    /// Checked by checksum on every open (ids, offsets, index, metadata). Other sections
    /// are payload, checked only by a deep check because hashing them would cost a pass
    /// over the data on every open.
    var checkedAtOpen: Bool
    var bytes: UnsafeRawBufferPointer

    static func code(_ tag: String) -> UInt32 {
        precondition(tag.utf8.count == 4, "a section tag has four ASCII characters, got '\(tag)'")
        return tag.utf8.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// The reason a cache file was not used. Each case has a `features.cache.reason.<case>`
/// entry.
enum CacheRejection: String, Error, Equatable {
    case missing
    case unreadable
    case notACache
    case formatVersion
    case kindMismatch
    case damagedHeader
    case truncated
    case sourceChanged
    case optionsChanged
    case damagedIndex
}

/// A validated, memory-mapped cache file of one store.
///
/// Layout (little-endian): a 128-byte header, a table of 32-byte section entries, then
/// the sections, each at a 64-byte aligned offset. The header contains the magic
/// `MMSTORE\0`, the format version, the kind, the header and file sizes, the source key
/// of the CSV, the hash of the read options, a checksum of the sections checked at open,
/// a checksum of the payload, and at offset 120 a checksum of the header and section
/// table themselves. Files are written to a temporary name, fsynced and renamed.
final class CacheFile: @unchecked Sendable {
    // Immutable after open; the mapping is read-only.
    static let magic: [UInt8] = Array("MMSTORE\0".utf8)
    static let formatVersion: UInt32 = 1
    private static let fixedHeaderBytes = 128
    private static let entryBytes = 32
    private static let checksumOffset = 120
    /// Payload is hashed in blocks of this size in parallel; the payload checksum is the
    /// hash of the block hashes.
    private static let payloadBlockBytes = 8 << 20

    let url: URL
    let mapping: MappedFile
    let payloadChecksum: UInt64
    let metadataChecksum: UInt64
    private let sections: [UInt32: (range: Range<Int>, payload: Bool)]

    private init(url: URL, mapping: MappedFile, payloadChecksum: UInt64, metadataChecksum: UInt64,
                 sections: [UInt32: (range: Range<Int>, payload: Bool)]) {
        self.url = url
        self.mapping = mapping
        self.payloadChecksum = payloadChecksum
        self.metadataChecksum = metadataChecksum
        self.sections = sections
    }

    func section(_ tag: String) -> UnsafeRawBufferPointer? {
        guard let entry = sections[CacheSection.code(tag)] else { return nil }
        return UnsafeRawBufferPointer(rebasing: mapping.bytes[entry.range])
    }

    var byteCount: Int { mapping.size }

    // MARK: - Reading

    /// Maps and validates the cache file at `url`. Everything but the payload is checked:
    /// the magic, version and kind, the header checksum, the file size, the source key,
    /// the options hash and the checksum of the sections checked at open.
    static func open(url: URL, kind: CacheKind, key: SourceKey, optionsHash: UInt64) -> Result<CacheFile, CacheRejection> {
        let mapping: MappedFile
        do {
            mapping = try MappedFile(path: url.path)
        } catch {
            if case .unreadable = error, access(url.path, F_OK) != 0 {
                return .failure(.missing)
            }
            return .failure(.unreadable)
        }
        let bytes = mapping.bytes
        if bytes.count < fixedHeaderBytes {
            return .failure(magic.starts(with: bytes.prefix(8)) ? .truncated : .notACache)
        }
        guard Array(bytes[0..<8]) == magic else { return .failure(.notACache) }
        guard read(UInt32.self, bytes, 8) == formatVersion else { return .failure(.formatVersion) }
        guard read(UInt32.self, bytes, 12) == kind.rawValue else { return .failure(.kindMismatch) }

        let headerBytes = Int(read(UInt32.self, bytes, 16))
        let sectionCount = Int(read(UInt32.self, bytes, 20))
        guard headerBytes >= fixedHeaderBytes + sectionCount * entryBytes, sectionCount < 64 else {
            return .failure(.damagedHeader)
        }
        guard headerBytes <= bytes.count else { return .failure(.truncated) }
        guard read(UInt64.self, bytes, checksumOffset) == headerChecksum(UnsafeRawBufferPointer(rebasing: bytes[0..<headerBytes])) else {
            return .failure(.damagedHeader)
        }
        guard Int(read(UInt64.self, bytes, 24)) == bytes.count else { return .failure(.truncated) }

        let storedKey = SourceKey(
            size: read(UInt64.self, bytes, 32), modificationSeconds: Int64(bitPattern: read(UInt64.self, bytes, 40)),
            modificationNanoseconds: Int64(bitPattern: read(UInt64.self, bytes, 48)),
            inode: read(UInt64.self, bytes, 56), edgeHash: read(UInt64.self, bytes, 64))
        guard storedKey == key else { return .failure(.sourceChanged) }
        guard read(UInt64.self, bytes, 72) == optionsHash else { return .failure(.optionsChanged) }

        var sections: [UInt32: (range: Range<Int>, payload: Bool)] = [:]
        var metadataHash = Hash64()
        for index in 0..<sectionCount {
            let entry = fixedHeaderBytes + index * entryBytes
            let tag = read(UInt32.self, bytes, entry)
            let payload = read(UInt32.self, bytes, entry + 4) & 1 == 0
            let offset = Int(read(UInt64.self, bytes, entry + 8))
            let length = Int(read(UInt64.self, bytes, entry + 16))
            guard offset >= headerBytes, offset % 64 == 0, length >= 0, offset <= bytes.count - length else {
                return .failure(.damagedHeader)
            }
            sections[tag] = (offset..<offset + length, payload)
            if !payload {
                metadataHash.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
            }
        }
        let metadataChecksum = read(UInt64.self, bytes, 80)
        guard metadataHash.finalize() == metadataChecksum else { return .failure(.damagedIndex) }

        return .success(CacheFile(
            url: url, mapping: mapping, payloadChecksum: read(UInt64.self, bytes, 88),
            metadataChecksum: metadataChecksum, sections: sections))
    }

    /// Hashes the whole payload and compares it with the stored checksum (a deep check).
    func payloadIsIntact(workers: Int) -> Bool {
        let payload = sections.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
            .filter { $0.value.payload }
            .map { CacheSection(tag: "VECS", checkedAtOpen: false, bytes: UnsafeRawBufferPointer(rebasing: mapping.bytes[$0.value.range])) }
        return Self.payloadChecksum(payload, workers: workers) == payloadChecksum
    }

    // MARK: - Writing

    /// Writes a cache file atomically (temporary file, fsync, rename, fsync of the
    /// folder) and returns the checksums it recorded.
    @discardableResult
    static func write(
        to url: URL, kind: CacheKind, key: SourceKey, optionsHash: UInt64, sections: [CacheSection], workers: Int
    ) throws(OutputError) -> (metadata: UInt64, payload: UInt64) {
        let folder = url.deletingLastPathComponent()
        try AtomicFile.createDirectory(folder)
        AtomicFile.removeLeftovers(in: folder)

        let headerBytes = roundUp(fixedHeaderBytes + sections.count * entryBytes)
        var offsets: [Int] = []
        var end = headerBytes
        for section in sections {
            offsets.append(end)
            end = roundUp(end + section.bytes.count)
        }
        let fileBytes = sections.isEmpty ? headerBytes : offsets.last! + sections.last!.bytes.count

        var metadataHash = Hash64()
        for section in sections where section.checkedAtOpen {
            metadataHash.update(section.bytes)
        }
        let metadata = metadataHash.finalize()
        let payload = payloadChecksum(sections.filter { !$0.checkedAtOpen }, workers: workers)

        var header = [UInt8](repeating: 0, count: headerBytes)
        header.replaceSubrange(0..<8, with: magic)
        store(formatVersion, &header, 8)
        store(kind.rawValue, &header, 12)
        store(UInt32(headerBytes), &header, 16)
        store(UInt32(sections.count), &header, 20)
        store(UInt64(fileBytes), &header, 24)
        store(key.size, &header, 32)
        store(UInt64(bitPattern: key.modificationSeconds), &header, 40)
        store(UInt64(bitPattern: key.modificationNanoseconds), &header, 48)
        store(key.inode, &header, 56)
        store(key.edgeHash, &header, 64)
        store(optionsHash, &header, 72)
        store(metadata, &header, 80)
        store(payload, &header, 88)
        for (index, section) in sections.enumerated() {
            let entry = fixedHeaderBytes + index * entryBytes
            store(CacheSection.code(section.tag), &header, entry)
            store(UInt32(section.checkedAtOpen ? 1 : 0), &header, entry + 4)
            store(UInt64(offsets[index]), &header, entry + 8)
            store(UInt64(section.bytes.count), &header, entry + 16)
        }
        let checksum = header.withUnsafeBytes { headerChecksum($0) }
        store(checksum, &header, checksumOffset)

        let headerBuffer = OwnedBuffer.copying(header)
        var pieces: [(offset: Int, bytes: UnsafeRawBufferPointer)] = [(0, headerBuffer.bytes)]
        for (index, section) in sections.enumerated() {
            pieces.append((offsets[index], section.bytes))
        }
        try writeAtomically(to: url, size: fileBytes, pieces: pieces)
        return (metadata, payload)
    }

    private static let temporaryCounter = AtomicCounter()

    private static func writeAtomically(
        to url: URL, size: Int, pieces: [(offset: Int, bytes: UnsafeRawBufferPointer)]
    ) throws(OutputError) {
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + AtomicFileWriter.temporaryMarker
            + "\(getpid())-\(temporaryCounter.next())"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutputError(path: url.path, errno: errno)
        }
        var committed = false
        defer {
            if !committed {
                unlink(temporary)
            }
        }
        do {
            defer { close(descriptor) }
            guard ftruncate(descriptor, off_t(size)) == 0 else { throw OutputError(path: url.path, errno: errno) }
            for piece in pieces {
                try writeAll(descriptor, piece.bytes, at: piece.offset, path: url.path)
            }
            guard fsync(descriptor) == 0 else { throw OutputError(path: url.path, errno: errno) }
        }
        guard rename(temporary, url.path) == 0 else {
            throw OutputError(path: url.path, errno: errno)
        }
        committed = true
        let folderDescriptor = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(OutputError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let step = min(bytes.count - done, 1 << 30)
            let written = pwrite(descriptor, base + done, step, off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, errno: errno)
            }
            done += written
        }
    }

    // MARK: - Checksums and fields

    private static func headerChecksum(_ header: UnsafeRawBufferPointer) -> UInt64 {
        var hash = Hash64()
        hash.update(UnsafeRawBufferPointer(rebasing: header[0..<checksumOffset]))
        hash.update(UnsafeRawBufferPointer(rebasing: header[fixedHeaderBytes...]))
        return hash.finalize()
    }

    /// Hashes the payload sections: each section is cut into 8 MiB blocks hashed in
    /// parallel, and the result is the hash of every section's length and block hashes.
    static func payloadChecksum(_ sections: [CacheSection], workers: Int) -> UInt64 {
        var blocks: [UnsafeRawBufferPointer] = []
        for section in sections {
            var start = 0
            repeat {
                let end = min(start + payloadBlockBytes, section.bytes.count)
                blocks.append(UnsafeRawBufferPointer(rebasing: section.bytes[start..<end]))
                start = end
            } while start < section.bytes.count
        }
        let blockHashes = Parallel.map(count: blocks.count, workers: workers) { Hash64.of(blocks[$0]) }
        var hash = Hash64()
        for section in sections {
            withUnsafeBytes(of: UInt64(section.bytes.count).littleEndian) { hash.update($0) }
        }
        for value in blockHashes {
            withUnsafeBytes(of: value.littleEndian) { hash.update($0) }
        }
        return hash.finalize()
    }

    private static func roundUp(_ value: Int) -> Int {
        (value + 63) / 64 * 64
    }

    private static func read<T: FixedWidthInteger>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer, _ offset: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    private static func store<T: FixedWidthInteger>(_ value: T, _ bytes: inout [UInt8], _ offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            bytes.replaceSubrange(offset..<offset + raw.count, with: raw)
        }
    }
}
