import Foundation
import MMCore

/// A slice of a table's data that one thread tokenizes: it starts at a line start and
/// ends after a line feed (or at the end of the data).
struct TextChunk: Sendable {
    /// Byte range within the data.
    var range: Range<Int>
    /// Line number of the chunk's first byte.
    var firstLine: Int
    /// Line breaks in the chunk: LF, CRLF and lone CR each count once.
    var lineBreaks: Int
    var endsWithLineBreak: Bool

    /// The maximum number of records in the chunk: one per line.
    var recordCapacity: Int { lineBreaks + (endsWithLineBreak || range.isEmpty ? 0 : 1) }
}

/// The split of a table's data into chunks for parsing.
struct ScanPlan: Sendable {
    var chunks: [TextChunk]
    /// True when the data contains a quote character: quoted fields may then contain line
    /// breaks, so the data is one chunk, read by libcsv.
    var hasQuotes: Bool

    var recordCapacity: Int { chunks.reduce(0) { $0 + $1.recordCapacity } }
}

/// Per-chunk facts gathered in one pass over the bytes.
private struct ChunkCensus {
    var lineFeeds = 0
    var carriageReturns = 0
    var pairs = 0
    var hasQuote = false
    var hasNonASCII = false

    var lineBreaks: Int { lineFeeds + carriageReturns - pairs }
}

enum ScanPlanner {
    /// Smallest chunk worth a thread of its own.
    static let minimumChunkBytes = 1 << 20

    /// Splits `data` at line feeds, counts each chunk's line breaks, finds quote
    /// characters and (when `checkUTF8`) checks that the data is UTF-8, all in parallel.
    ///
    /// - Parameters:
    ///   - fileOffset: the offset of `data` in the file, for error messages.
    ///   - firstLine: the line number of the first byte of `data`.
    ///   - read: passes the bytes of a range of `data` to its closure in blocks; the
    ///     default passes `data` itself. A source can copy the blocks instead, so the
    ///     census does not map every page of a large file at once.
    static func plan(
        _ data: UnsafeRawBufferPointer, fileOffset: Int, firstLine: Int, workers: Int, checkUTF8: Bool, path: String,
        read: ((Range<Int>, (UnsafeRawBufferPointer) -> Void) -> Void)? = nil
    ) throws(FeatureError) -> ScanPlan {
        let bounds = chunkBounds(data, workers: workers)
        let censuses = Parallel.map(count: bounds.count, workers: workers) { index in
            var counter = CensusCounter()
            if let read {
                read(bounds[index]) { counter.add($0) }
            } else {
                counter.add(UnsafeRawBufferPointer(rebasing: data[bounds[index]]))
            }
            return counter.census
        }

        if checkUTF8 {
            let suspects = censuses.indices.filter { censuses[$0].hasNonASCII }
            let failures = Parallel.map(count: suspects.count, workers: workers) { index in
                TextDecoding.firstInvalidUTF8(UnsafeRawBufferPointer(rebasing: data[bounds[suspects[index]]]))
                    .map { bounds[suspects[index]].lowerBound + $0 }
            }
            if let offset = failures.compactMap({ $0 }).min() {
                let line = firstLine + countLineBreaks(UnsafeRawBufferPointer(rebasing: data[0..<offset]))
                throw FeatureError.invalidUTF8(path: path, offset: fileOffset + offset, line: line, byte: data[offset])
            }
        }

        var chunks: [TextChunk] = []
        var line = firstLine
        for (range, census) in zip(bounds, censuses) {
            let endsWithBreak = range.count > 0 && (data[range.upperBound - 1] == 0x0A || data[range.upperBound - 1] == 0x0D)
            chunks.append(TextChunk(range: range, firstLine: line, lineBreaks: census.lineBreaks, endsWithLineBreak: endsWithBreak))
            line += census.lineBreaks
        }

        let hasQuotes = censuses.contains { $0.hasQuote }
        if hasQuotes && chunks.count > 1 {
            let total = chunks.reduce(0) { $0 + $1.lineBreaks }
            let whole = TextChunk(range: 0..<data.count, firstLine: firstLine, lineBreaks: total,
                                  endsWithLineBreak: chunks.last!.endsWithLineBreak)
            return ScanPlan(chunks: [whole], hasQuotes: true)
        }
        return ScanPlan(chunks: chunks, hasQuotes: hasQuotes)
    }

    /// Chunk boundaries: about eight chunks per worker, each ending after a line feed.
    private static func chunkBounds(_ data: UnsafeRawBufferPointer, workers: Int) -> [Range<Int>] {
        let target = min(max(data.count / max(1, workers * 8), minimumChunkBytes), 64 << 20)
        guard data.count > target, let base = data.baseAddress else {
            return [0..<data.count]
        }
        var bounds: [Range<Int>] = []
        var start = 0
        while start < data.count {
            var end = min(start + target, data.count)
            if end < data.count {
                if let found = memchr(base + end, 0x0A, data.count - end) {
                    end = base.distance(to: UnsafeRawPointer(found)) + 1
                } else {
                    end = data.count
                }
            }
            bounds.append(start..<end)
            start = end
        }
        return bounds
    }

    static func countLineBreaks(_ bytes: UnsafeRawBufferPointer) -> Int {
        var counter = CensusCounter()
        counter.add(bytes)
        return counter.census.lineBreaks
    }
}

/// Counts line feeds, carriage returns and CRLF pairs with `memchr` (vectorised in
/// glibc), and notes quote characters and bytes above 0x7F, over consecutive blocks.
private struct CensusCounter {
    var census = ChunkCensus()
    private var previousEndedWithCR = false

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let count = bytes.count
        let end = base + count

        if previousEndedWithCR && bytes[0] == 0x0A {
            census.pairs += 1
        }
        var cursor = base
        while let found = memchr(cursor, 0x0A, cursor.distance(to: end)) {
            census.lineFeeds += 1
            cursor = UnsafeRawPointer(found) + 1
        }
        cursor = base
        while let found = memchr(cursor, 0x0D, cursor.distance(to: end)) {
            census.carriageReturns += 1
            cursor = UnsafeRawPointer(found) + 1
            if cursor < end && cursor.load(as: UInt8.self) == 0x0A {
                census.pairs += 1
            }
        }
        previousEndedWithCR = bytes[count - 1] == 0x0D
        census.hasQuote = census.hasQuote || memchr(base, 0x22, count) != nil

        // OR of all bytes, eight at a time, four words per step.
        var high: UInt64 = 0
        var index = 0
        while index + 32 <= count {
            high |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                | base.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            index += 32
        }
        while index < count {
            high |= UInt64(base.load(fromByteOffset: index, as: UInt8.self))
            index += 1
        }
        census.hasNonASCII = census.hasNonASCII || high & 0x8080_8080_8080_8080 != 0
    }
}

/// A bounded fork-join over `count` work items.
enum Parallel {
    /// Runs `body` for each index in `0..<count` on up to `workers` threads, items taken
    /// in index order, and returns the results in index order.
    static func map<Result>(count: Int, workers: Int, _ body: (Int) -> Result) -> [Result] {
        if count <= 1 || workers <= 1 {
            return (0..<count).map(body)
        }
        let slots = UnsafeMutablePointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
        defer {
            slots.deinitialize(count: count)
            slots.deallocate()
        }
        return withoutActuallyEscaping(body) { body in
            let work = ForkJoinWork(slots: slots, body: body)
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
                while true {
                    let index = next.next() - 1
                    if index >= count { break }
                    work.run(index)
                }
            }
            return (0..<count).map { slots[$0]! }
        }
    }
}

/// The shared state of one `Parallel.map`. Each slot is written by exactly one thread
/// and read only after every thread has finished. `body` must be safe to call from
/// several threads at once, so callers give each index its own data.
private struct ForkJoinWork<Result>: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Result?>
    let body: (Int) -> Result

    func run(_ index: Int) {
        slots[index] = body(index)
    }
}
