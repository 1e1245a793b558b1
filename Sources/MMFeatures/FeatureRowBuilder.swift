import MMCore

/// Checks an id cell: not empty, no control characters (C0, DEL or C1), no byte order
/// mark.
enum IDValidation {
    static func problem(_ bytes: UnsafeBufferPointer<UInt8>) -> BadRowReason? {
        if bytes.isEmpty {
            return .emptyID
        }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F {
                continue
            }
            if byte < 0x20 || byte == 0x7F {
                return .invalidID
            }
            if byte == 0xC2 && index + 1 < bytes.count && bytes[index + 1] >= 0x80 && bytes[index + 1] <= 0x9F {
                return .invalidID
            }
            if byte == 0xEF && index + 2 < bytes.count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF {
                return .invalidID
            }
        }
        return nil
    }
}

/// Builds the rows of one chunk of a feature table: the vectors go straight into the
/// chunk's part of the store's float buffer, ids and labels into byte arrays. A bad row
/// is rolled back and recorded in `quality`.
struct FeatureRowBuilder: RecordConsumer {
    private let roles: UnsafeBufferPointer<Int32>
    private let layout: ColumnLayout
    private let dimension: Int
    private let fieldCount: Int
    private let rows: UnsafeMutablePointer<Float>
    private let capacity: Int
    private let hasIDColumn: Bool
    private let hasBounds: Bool
    private let allowedLabels: Set<String>?

    /// Rows kept.
    private(set) var count = 0
    /// Records seen, kept or not; the row number of the next record is this plus one.
    private(set) var recordsRead = 0
    private(set) var idBytes: [UInt8] = []
    private(set) var idEnds: [Int] = []
    private(set) var labelBytes: [UInt8] = []
    private(set) var labelEnds: [Int] = []
    /// For tables without an id column: each kept row's record index in the chunk.
    private(set) var recordIndices: [Int32] = []
    /// Each kept row's line.
    private(set) var lines: [Int32] = []
    var quality: StoreQuality

    private var column = 0
    private var line = 0
    private var bad = false
    private var problem: BadRowExample?
    private var extraField: String?

    /// - Parameters:
    ///   - roles: `layout.roles`, kept alive by the caller while the builder runs.
    ///   - rows: room for `capacity` vectors of `layout.featureColumns.count` floats.
    init(layout: ColumnLayout, roles: UnsafeBufferPointer<Int32>, rows: UnsafeMutablePointer<Float>, capacity: Int,
         allowedLabels: Set<String>?, file: String) {
        self.layout = layout
        self.roles = roles
        dimension = layout.featureColumns.count
        fieldCount = layout.header.count
        self.rows = rows
        self.capacity = capacity
        hasIDColumn = layout.idColumn != nil
        hasBounds = !layout.bounds.isEmpty
        self.allowedLabels = allowedLabels
        quality = StoreQuality(file: file)
    }

    mutating func beginRecord(line: Int) {
        precondition(count < capacity, "chunk holds more records (\(count + 1)) than lines (\(capacity))")
        self.line = line
        column = 0
        bad = false
        problem = nil
        extraField = nil
    }

    @inline(__always)
    mutating func field(_ start: UnsafePointer<UInt8>, _ length: Int) {
        let index = column
        column &+= 1
        if bad {
            return
        }
        if index >= fieldCount {
            if index == fieldCount {
                extraField = BadRowExample.displayValue(UnsafeBufferPointer(start: start, count: length))
            }
            return
        }
        if length > CSVLimits.maximumFieldBytes {
            reject(.fieldTooLong, column: index, start, length)
            return
        }
        let role = roles[index]
        if role >= 0 {
            let destination = rows + (count &* dimension &+ Int(role))
            let status = NumberParsing.parseFloat(start, length, &destination.pointee)
            if status != .ok {
                noteUnusual(status, column: index, start, length)
            }
            if hasBounds, !bad, let range = layout.bounds[Int(role)], !range.contains(destination.pointee) {
                reject(.outOfBounds, column: index, start, length, details: [
                    "min": "\(range.lowerBound)", "max": "\(range.upperBound)",
                ])
            }
        } else if role == ColumnLayout.idRole {
            idBytes.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        } else if role == ColumnLayout.labelRole {
            labelBytes.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        }
    }

    mutating func endRecord() {
        recordsRead += 1
        quality.rowsRead += 1
        if !bad && column != fieldCount {
            let tooFew = column < fieldCount
            problem = BadRowExample(
                file: quality.file, line: line, column: tooFew ? layout.header[column] : "",
                value: tooFew ? "" : extraField ?? "", reason: tooFew ? .tooFewFields : .tooManyFields,
                details: ["expected": String(fieldCount), "found": String(column)])
            bad = true
        }
        let idStart = idEnds.last ?? 0
        let labelStart = labelEnds.last ?? 0
        if !bad && hasIDColumn {
            let id = idBytes.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[idStart...]) }
            if let reason = IDValidation.problem(id) {
                problem = BadRowExample(
                    file: quality.file, line: line, column: layout.idColumn ?? "",
                    value: BadRowExample.displayValue(id), reason: reason)
                bad = true
            }
        }
        if !bad && layout.labelColumn != nil {
            checkLabel(labelStart)
        }

        if bad {
            idBytes.removeSubrange(idStart...)
            labelBytes.removeSubrange(labelStart...)
            if let problem {
                quality.record(problem)
            }
            return
        }
        count += 1
        quality.rowsKept += 1
        if hasIDColumn {
            idEnds.append(idBytes.count)
        } else {
            recordIndices.append(Int32(recordsRead - 1))
        }
        if layout.labelColumn != nil {
            labelEnds.append(labelBytes.count)
        }
        lines.append(Int32(truncatingIfNeeded: line))
    }

    /// Reads a plain row in one pass: numbers are parsed where they stand, text cells are
    /// copied, and the row is ended. Returns nil, keeping nothing, at anything the general
    /// path must decide. Such cases are a blank around a cell, a cell that is not a finite
    /// number of normal size, a wrong field count, bounds to check or a very long cell.
    /// The general path then gives the same result for good rows and the exact reason
    /// for bad ones.
    mutating func consumePlainRecord(
        from start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, delimiter: UInt8
    ) -> UnsafePointer<UInt8>? {
        if hasBounds {
            return nil
        }
        let row = rows + count &* dimension
        let idMark = idBytes.count
        let labelMark = labelBytes.count
        var position = start
        var index = 0
        while true {
            let role = roles[index]
            let cellStart = position
            if role >= 0 {
                let (status, stop) = NumberParsing.parseFloatPrefix(position, end, &row[Int(role)])
                guard status == .ok, stop > cellStart else { break }
                position = stop
            } else {
                while position < end {
                    let byte = position.pointee
                    if byte == delimiter || byte == 0x0A || byte == 0x0D {
                        break
                    }
                    position += 1
                }
                if position > cellStart {
                    let last = (position - 1).pointee
                    if last == 0x20 || last == 0x09 { break }
                }
                if role == ColumnLayout.idRole {
                    idBytes.append(contentsOf: UnsafeBufferPointer(start: cellStart, count: position - cellStart))
                } else if role == ColumnLayout.labelRole {
                    labelBytes.append(contentsOf: UnsafeBufferPointer(start: cellStart, count: position - cellStart))
                }
            }
            if position - cellStart > CSVLimits.maximumFieldBytes {
                break
            }

            index += 1
            if index == fieldCount {
                guard position == end || position.pointee == 0x0A || position.pointee == 0x0D else { break }
                column = fieldCount
                endRecord()
                return position
            }
            guard position < end, position.pointee == delimiter else { break }
            position += 1
            if position < end {
                let next = position.pointee
                if (next == 0x20 || next == 0x09) && next != delimiter { break }
            }
        }
        idBytes.removeSubrange(idMark...)
        labelBytes.removeSubrange(labelMark...)
        return nil
    }

    mutating func abandonRecord(_ reason: BadRowReason) {
        bad = true
        problem = BadRowExample(file: quality.file, line: line, column: "", value: "", reason: reason)
        endRecord()
    }

    private mutating func checkLabel(_ labelStart: Int) {
        let label = labelBytes.withUnsafeBufferPointer { UnsafeBufferPointer(rebasing: $0[labelStart...]) }
        let column = layout.labelColumn ?? ""
        if label.isEmpty {
            problem = BadRowExample(file: quality.file, line: line, column: column, value: "", reason: .emptyCell)
            bad = true
        } else if let allowedLabels, !allowedLabels.contains(String(decoding: label, as: UTF8.self)) {
            problem = BadRowExample(
                file: quality.file, line: line, column: column, value: BadRowExample.displayValue(label),
                reason: .unknownLabel, details: ["allowed": allowedLabels.sorted().joined(separator: ", ")])
            bad = true
        }
    }

    /// Counts a subnormal or underflowed value, or rejects the row for a bad number.
    @inline(never)
    private mutating func noteUnusual(_ status: NumberStatus, column: Int, _ start: UnsafePointer<UInt8>, _ length: Int) {
        switch status {
        case .subnormal:
            quality.subnormalValues += 1
        case .underflow:
            quality.underflowedValues += 1
        default:
            reject(status.badRowReason ?? .notANumber, column: column, start, length)
        }
    }

    @inline(never)
    private mutating func reject(
        _ reason: BadRowReason, column: Int, _ start: UnsafePointer<UInt8>, _ length: Int,
        details: [String: String] = [:]
    ) {
        bad = true
        problem = BadRowExample(
            file: quality.file, line: line, column: layout.header[column],
            value: BadRowExample.displayValue(UnsafeBufferPointer(start: start, count: length)),
            reason: reason, details: details)
    }
}
