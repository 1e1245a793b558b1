import Foundation
import MMCore

/// A CSV file opened for parsing: mapped, its byte order mark skipped, converted to
/// UTF-8 when it is Latin-1 or Windows-1252, and its header read.
final class CSVSource {
    let path: String
    let file: MappedFile
    /// The UTF-8 text after any byte order mark: the mapping itself, or the converted copy.
    let text: UnsafeRawBufferPointer
    /// The file offset of `text` (3 after a byte order mark), which turns offsets in
    /// `text` into file offsets for UTF-8 errors. Meaningful only for UTF-8 files.
    let textOffset: Int
    let encoding: TextEncoding
    let delimiter: UInt8
    /// Header names; an empty name becomes `unnamed_<position>`.
    let header: [String]
    /// The data after the header line.
    let data: UnsafeRawBufferPointer
    /// Line number of the first byte of `data`.
    let dataFirstLine: Int
    let key: SourceKey
    private let converted: OwnedBuffer?

    init(url: URL, encoding: TextEncoding, delimiter: UInt8) throws(FeatureError) {
        path = url.path
        file = try MappedFile(path: path)
        file.adviseSequential()
        key = SourceKey.of(file)
        self.encoding = encoding
        self.delimiter = delimiter

        let raw = file.bytes
        if encoding == .utf8 && TextDecoding.startsWithUTF16Mark(raw) {
            throw FeatureError.utf16(path: path)
        }
        let markLength = TextDecoding.byteOrderMarkLength(raw)
        let afterMark = UnsafeRawBufferPointer(rebasing: raw[markLength...])
        if encoding == .utf8 {
            converted = nil
            text = afterMark
        } else {
            let buffer = TextDecoding.convertToUTF8(afterMark, from: encoding)
            converted = buffer
            text = buffer.bytes
        }
        textOffset = markLength

        var collector = HeaderCollector()
        let tokenizer = LibCSVTokenizer(delimiter: delimiter)
        let (consumed, lineBreaks) = tokenizer.scan(text, firstLine: 1, into: &collector, recordLimit: 1)
        if let problem = collector.problem {
            throw FeatureError.badHeader(path: path, line: collector.line, reason: problem)
        }
        guard collector.finished else {
            throw FeatureError.noHeader(path: path)
        }
        if encoding == .utf8, let offset = TextDecoding.firstInvalidUTF8(UnsafeRawBufferPointer(rebasing: text[0..<consumed])) {
            let line = 1 + ScanPlanner.countLineBreaks(UnsafeRawBufferPointer(rebasing: text[0..<offset]))
            throw FeatureError.invalidUTF8(path: path, offset: textOffset + offset, line: line, byte: text[offset])
        }
        header = collector.names.enumerated().map { position, name in
            name.isEmpty ? "unnamed_\(position + 1)" : name
        }
        data = UnsafeRawBufferPointer(rebasing: text[consumed...])
        dataFirstLine = 1 + lineBreaks
    }

    /// Splits the data for parsing on `workers` threads and checks that it is UTF-8.
    func plan(workers: Int) throws(FeatureError) -> ScanPlan {
        let dataOffset = textOffset + (text.count - data.count)
        let file = file
        let read: ((Range<Int>, (UnsafeRawBufferPointer) -> Void) -> Void)? = converted != nil ? nil : { range, body in
            file.readBlocks((dataOffset + range.lowerBound)..<(dataOffset + range.upperBound), body)
        }
        return try ScanPlanner.plan(
            data, fileOffset: dataOffset, firstLine: dataFirstLine, workers: workers, checkUTF8: encoding == .utf8,
            path: path, read: read)
    }

    /// Tokenizes one chunk of the plan into `consumer`: with the plain tokenizer when the
    /// data has no quotes and `parser` allows it, else with libcsv. Then drops the
    /// chunk's pages from this process's mapping (they stay in the page cache), so a
    /// parse keeps about one chunk of CSV text per thread in memory.
    func scan<Consumer: RecordConsumer>(
        _ chunk: TextChunk, plan: ScanPlan, parser: CSVParserChoice, into consumer: inout Consumer
    ) {
        let bytes = UnsafeRawBufferPointer(rebasing: data[chunk.range])
        if plan.hasQuotes || parser == .libcsv {
            _ = LibCSVTokenizer(delimiter: delimiter).scan(bytes, firstLine: chunk.firstLine, into: &consumer)
        } else {
            _ = PlainTokenizer.scan(bytes, delimiter: delimiter, firstLine: chunk.firstLine, into: &consumer)
        }
        if converted == nil, let base = bytes.baseAddress, let fileBase = file.base {
            file.release(fileBase.distance(to: base)..<fileBase.distance(to: base) + bytes.count)
        }
    }
}

/// Collects the names of the header record.
private struct HeaderCollector: RecordConsumer {
    var names: [String] = []
    var finished = false
    var line = 1
    var problem: BadRowReason?

    mutating func beginRecord(line: Int) {
        self.line = line
    }

    mutating func field(_ start: UnsafePointer<UInt8>, _ count: Int) {
        names.append(String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self))
    }

    mutating func endRecord() {
        finished = true
    }

    mutating func abandonRecord(_ reason: BadRowReason) {
        problem = reason
        finished = true
    }
}

/// What identifies the version of a CSV file: its size, modification time, inode and a
/// hash of its first and last MiB.
///
/// NOTE: an edit that keeps the size, the modification time (to the nanosecond), the
/// inode and the first and last MiB unchanged goes unseen. An example is a tool that
/// rewrites a value in the middle of a large file in place and then restores the old
/// mtime. Such an edit needs `rebuildCache` (`--rebuild-cache`).
struct SourceKey: Equatable, Sendable {
    var size: UInt64
    var modificationSeconds: Int64
    var modificationNanoseconds: Int64
    var inode: UInt64
    var edgeHash: UInt64

    static let edgeBytes = 1 << 20

    static func of(_ file: MappedFile) -> SourceKey {
        let bytes = file.bytes
        let head = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, edgeBytes)])
        let tail = UnsafeRawBufferPointer(rebasing: bytes[max(0, bytes.count - edgeBytes)...])
        return SourceKey(status: file.status, edgeHash: edgeHash(head: head, tail: tail, size: bytes.count))
    }

    /// Reads the key of the file at `path` with `stat` and two reads of at most 1 MiB.
    /// Returns nil when the file cannot be read.
    static func read(path: String) -> SourceKey? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let size = Int(info.st_size)
        let headCount = min(size, edgeBytes)
        let tailStart = max(0, size - edgeBytes)
        var head = [UInt8](repeating: 0, count: headCount)
        var tail = [UInt8](repeating: 0, count: size - tailStart)
        guard readFully(descriptor, &head, at: 0), readFully(descriptor, &tail, at: tailStart) else { return nil }
        let hash = head.withUnsafeBytes { headBytes in
            tail.withUnsafeBytes { edgeHash(head: headBytes, tail: $0, size: size) }
        }
        return SourceKey(status: info, edgeHash: hash)
    }

    private init(status: stat, edgeHash: UInt64) {
        size = UInt64(status.st_size)
        modificationSeconds = Int64(status.st_mtim.tv_sec)
        modificationNanoseconds = Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
        self.edgeHash = edgeHash
    }

    init(size: UInt64, modificationSeconds: Int64, modificationNanoseconds: Int64, inode: UInt64, edgeHash: UInt64) {
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.inode = inode
        self.edgeHash = edgeHash
    }

    private static func edgeHash(head: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer, size: Int) -> UInt64 {
        var hash = Hash64()
        withUnsafeBytes(of: UInt64(size).littleEndian) { hash.update($0) }
        hash.update(head)
        hash.update(tail)
        return hash.finalize()
    }

    private static func readFully(_ descriptor: Int32, _ buffer: inout [UInt8], at offset: Int) -> Bool {
        var done = 0
        while done < buffer.count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            done += result
        }
        return true
    }
}
