import Foundation
import MMCore

/// A feature table parsed from CSV, with the buffers that back it.
struct ParsedFeatureTable {
    var parts: FeatureStoreParts
    var key: SourceKey
    var unknownIgnoredColumns: [String]
    let vectorRegion: MemoryRegion
    let idOffsets: OwnedBuffer
    let idBytes: OwnedBuffer
    let indexSlots: OwnedBuffer
    let labelOffsets: OwnedBuffer?
    let labelBytes: OwnedBuffer?
    let payloadChecksum: UInt64

    /// Lists the sections of the cache file, in file order.
    func cacheSections(metadata: UnsafeRawBufferPointer) -> [CacheSection] {
        var sections = [
            CacheSection(tag: "META", checkedAtOpen: true, bytes: metadata),
            CacheSection(tag: "IDOF", checkedAtOpen: true, bytes: idOffsets.bytes),
            CacheSection(tag: "IDBY", checkedAtOpen: true, bytes: idBytes.bytes),
            CacheSection(tag: "INDX", checkedAtOpen: true, bytes: indexSlots.bytes),
        ]
        if let labelOffsets, let labelBytes {
            sections.append(CacheSection(tag: "LBOF", checkedAtOpen: true, bytes: labelOffsets.bytes))
            sections.append(CacheSection(tag: "LBBY", checkedAtOpen: true, bytes: labelBytes.bytes))
        }
        let vectorBytes = UnsafeRawBufferPointer(start: vectorRegion.base, count: vectorRegion.byteCount)
        sections.append(CacheSection(tag: "VECS", checkedAtOpen: false, bytes: vectorBytes))
        return sections
    }
}

/// Parses a feature table: header and roles, a parallel tokenize of the chunks into one
/// float buffer, then a sequential merge that drops duplicate ids and closes the gaps
/// left by skipped rows.
enum FeatureTableParser {
    static func parse(url: URL, options: FeatureReadOptions) throws(FeatureError) -> ParsedFeatureTable {
        let source = try CSVSource(url: url, encoding: options.encoding, delimiter: options.resolvedDelimiter(for: url))
        let layout = try ColumnLayout(header: source.header, options: options, path: source.path)
        let workers = options.resolvedWorkers
        let plan = try source.plan(workers: workers)

        let dimension = layout.featureColumns.count
        let rowBytes = dimension * MemoryLayout<Float>.stride
        let region = MemoryRegion(byteCount: plan.recordCapacity * rowBytes)
        let rows = region.base.bindMemory(to: Float.self, capacity: plan.recordCapacity * dimension)
        var rowBases: [Int] = []
        var nextBase = 0
        for chunk in plan.chunks {
            rowBases.append(nextBase)
            nextBase += chunk.recordCapacity
        }

        let builders = layout.roles.withUnsafeBufferPointer { roles in
            Parallel.map(count: plan.chunks.count, workers: workers) { index in
                let chunk = plan.chunks[index]
                var builder = FeatureRowBuilder(
                    layout: layout, roles: roles, rows: rows + rowBases[index] * dimension,
                    capacity: chunk.recordCapacity, allowedLabels: options.allowedLabels, file: source.path)
                source.scan(chunk, plan: plan, parser: options.parser, into: &builder)
                return builder
            }
        }
        return merge(builders, rowBases: rowBases, layout: layout, region: region, rows: rows,
                     source: source, workers: workers)
    }

    private static func merge(
        _ builders: [FeatureRowBuilder], rowBases: [Int], layout: ColumnLayout, region: MemoryRegion,
        rows: UnsafeMutablePointer<Float>, source: CSVSource, workers: Int
    ) -> ParsedFeatureTable {
        let dimension = layout.featureColumns.count
        let rowBytes = dimension * MemoryLayout<Float>.stride
        var quality = StoreQuality(file: source.path)
        for builder in builders {
            quality.merge(builder.quality)
        }
        let candidates = builders.reduce(0) { $0 + $1.count }
        var index = IDIndexBuilder(capacity: candidates, byteCapacity: builders.reduce(0) { $0 + $1.idBytes.count })
        let hasLabels = layout.labelColumn != nil
        let hasIDColumn = layout.idColumn != nil
        var labelOffsets: [UInt64] = [0]
        var labelBytes: [UInt8] = []
        var keptLines: [Int32] = []
        keptLines.reserveCapacity(candidates)

        var kept = 0
        var recordBase = 0
        for (chunkIndex, builder) in builders.enumerated() {
            for row in 0..<builder.count {
                let duplicateOf = withID(of: builder, row: row, recordBase: recordBase, hasIDColumn: hasIDColumn) { index.insert($0) }
                if let first = duplicateOf {
                    let id = withID(of: builder, row: row, recordBase: recordBase, hasIDColumn: hasIDColumn) { BadRowExample.displayValue($0) }
                    quality.record(BadRowExample(
                        file: source.path, line: Int(builder.lines[row]), column: layout.idColumn ?? "", value: id,
                        reason: .duplicateID, details: ["first": String(keptLines[first])]))
                    quality.rowsKept -= 1
                    continue
                }
                let sourceRow = rowBases[chunkIndex] + row
                if sourceRow != kept {
                    memmove(rows + kept * dimension, rows + sourceRow * dimension, rowBytes)
                }
                if hasLabels {
                    let start = row == 0 ? 0 : builder.labelEnds[row - 1]
                    labelBytes.append(contentsOf: builder.labelBytes[start..<builder.labelEnds[row]])
                    labelOffsets.append(UInt64(labelBytes.count))
                }
                keptLines.append(builder.lines[row])
                kept += 1
            }
            let oldStart = rowBases[chunkIndex] * rowBytes
            region.discard(max(kept * rowBytes, oldStart)..<(rowBases[chunkIndex] + builder.count) * rowBytes)
            recordBase += builder.recordsRead
        }
        region.shrink(to: kept * rowBytes)
        quality.examples.sort { ($0.line, $0.reason) < ($1.line, $1.reason) }

        let idOffsets = OwnedBuffer.copying(index.offsets)
        let idBytes = OwnedBuffer.copying(index.bytes)
        let slots = OwnedBuffer.copying(index.slots)
        let labelOffsetBuffer = hasLabels ? OwnedBuffer.copying(labelOffsets) : nil
        let labelByteBuffer = hasLabels ? OwnedBuffer.copying(labelBytes) : nil
        let ids = IDTable(offsets: idOffsets.base.assumingMemoryBound(to: UInt64.self),
                          bytes: idBytes.base.assumingMemoryBound(to: UInt8.self), count: kept)
        let labels = labelOffsetBuffer.flatMap { offsets in
            labelByteBuffer.map { IDTable(offsets: offsets.base.assumingMemoryBound(to: UInt64.self),
                                          bytes: $0.base.assumingMemoryBound(to: UInt8.self), count: kept) }
        }

        let vectorBytes = UnsafeRawBufferPointer(start: region.base, count: kept * rowBytes)
        let payload = CacheFile.payloadChecksum([CacheSection(tag: "VECS", checkedAtOpen: false, bytes: vectorBytes)], workers: workers)
        let fingerprint = contentFingerprint(
            columns: layout.featureColumns, idColumn: layout.idColumn ?? "", labelColumn: layout.labelColumn,
            tables: [idOffsets.bytes, idBytes.bytes, labelOffsetBuffer?.bytes, labelByteBuffer?.bytes].compactMap { $0 },
            payloadChecksum: payload)

        var owners: [AnyObject] = [region, idOffsets, idBytes, slots]
        owners += [labelOffsetBuffer, labelByteBuffer].compactMap { $0 }
        let parts = FeatureStoreParts(
            columns: layout.featureColumns, idColumn: layout.idColumn ?? "", labelColumn: layout.labelColumn,
            count: kept, vectors: UnsafePointer(rows), ids: ids,
            index: IDIndex(slots: slots.base.assumingMemoryBound(to: UInt64.self), slotCount: index.slots.count),
            labels: labels, quality: quality, fingerprint: fingerprint, owners: owners)
        return ParsedFeatureTable(
            parts: parts, key: source.key, unknownIgnoredColumns: layout.unknownIgnoredColumns, vectorRegion: region,
            idOffsets: idOffsets, idBytes: idBytes, indexSlots: slots, labelOffsets: labelOffsetBuffer,
            labelBytes: labelByteBuffer, payloadChecksum: payload)
    }

    /// Calls `body` with the id bytes of a kept row: the id cell, or the data row number
    /// when the table has no id column.
    private static func withID<Result>(
        of builder: FeatureRowBuilder, row: Int, recordBase: Int, hasIDColumn: Bool,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if !hasIDColumn {
            var number = recordBase + Int(builder.recordIndices[row]) + 1
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var length = 0
                repeat {
                    digits[19 - length] = UInt8(48 + number % 10)
                    number /= 10
                    length += 1
                } while number > 0
                return body(UnsafeBufferPointer(rebasing: digits[(20 - length)...]))
            }
        }
        let start = row == 0 ? 0 : builder.idEnds[row - 1]
        return builder.idBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<builder.idEnds[row]])) }
    }

    /// Computes the content fingerprint of a store from the column names, the id and
    /// label tables, and the payload checksum of the vectors.
    static func contentFingerprint(
        columns: [String], idColumn: String, labelColumn: String?, tables: [UnsafeRawBufferPointer], payloadChecksum: UInt64
    ) -> String {
        var hash = Hash64()
        hash.update(([idColumn, labelColumn ?? "-"] + columns).joined(separator: "\u{1F}"))
        for table in tables {
            withUnsafeBytes(of: UInt64(table.count).littleEndian) { hash.update($0) }
            hash.update(table)
        }
        withUnsafeBytes(of: payloadChecksum.littleEndian) { hash.update($0) }
        return hash.hexDigest()
    }
}
