import CCSV

/// Receives the records of CSV text field by field. Both tokenizers drive the same
/// consumer, so a table gives the same rows and values whichever tokenizer read it.
protocol RecordConsumer {
    /// Starts a record whose first byte is on `line` (1-based).
    mutating func beginRecord(line: Int)
    /// Receives the next field of the current record, unquoted and with the spaces and
    /// tabs around an unquoted field removed (as libcsv does).
    mutating func field(_ start: UnsafePointer<UInt8>, _ count: Int)
    mutating func endRecord()
    /// Ends the current record as bad for a reason only the tokenizer can see.
    mutating func abandonRecord(_ reason: BadRowReason)
    /// Reads and ends the whole record that starts at `start` (a non-blank byte) in one
    /// pass, for text without quotes. Returns the position of the record's line break
    /// (or `end`). Returns nil to have the tokenizer deliver the record field by field,
    /// and the consumer must then be as it was after `beginRecord`.
    mutating func consumePlainRecord(
        from start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, delimiter: UInt8
    ) -> UnsafePointer<UInt8>?
}

extension RecordConsumer {
    mutating func consumePlainRecord(
        from start: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, delimiter: UInt8
    ) -> UnsafePointer<UInt8>? {
        nil
    }
}

private let carriageReturn = UInt8(ascii: "\r")
private let lineFeed = UInt8(ascii: "\n")
private let space = UInt8(ascii: " ")
private let tab = UInt8(ascii: "\t")

/// The tokenizer for text without quote characters. Records end at CR, LF or CRLF, and
/// blank lines (also lines of only spaces and tabs) are skipped. Spaces and tabs around
/// a field are dropped. This is exactly how libcsv 3.0.3 treats unquoted text.
enum PlainTokenizer {
    /// Tokenizes `bytes`, whose first byte starts line `firstLine`, and returns the count
    /// of line breaks read.
    static func scan<Consumer: RecordConsumer>(
        _ bytes: UnsafeRawBufferPointer, delimiter: UInt8, firstLine: Int, into consumer: inout Consumer
    ) -> Int {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return 0 }
        let start = raw.assumingMemoryBound(to: UInt8.self)
        let end = start + bytes.count
        let delimiterIsBlank = delimiter == space || delimiter == tab
        var position = start
        var line = firstLine

        @inline(__always)
        func isBlank(_ byte: UInt8) -> Bool {
            (byte == space || byte == tab) && !(delimiterIsBlank && byte == delimiter)
        }

        while position < end {
            while position < end && isBlank(position.pointee) {
                position += 1
            }
            if position == end {
                break
            }
            let first = position.pointee
            if first == carriageReturn || first == lineFeed {
                position += 1
                if first == carriageReturn && position < end && position.pointee == lineFeed {
                    position += 1
                }
                line += 1
                continue
            }

            consumer.beginRecord(line: line)
            if let next = consumer.consumePlainRecord(from: position, end: end, delimiter: delimiter) {
                position = next
            } else {
                readFields(&position, end: end, delimiter: delimiter, delimiterIsBlank: delimiterIsBlank, into: &consumer)
            }

            if position < end {
                let terminator = position.pointee
                position += 1
                if terminator == carriageReturn && position < end && position.pointee == lineFeed {
                    position += 1
                }
                line += 1
            }
        }
        return line - firstLine
    }

    /// Delivers the fields of one record and ends it; `position` moves to the record's
    /// line break (or the end).
    @inline(__always)
    private static func readFields<Consumer: RecordConsumer>(
        _ position: inout UnsafePointer<UInt8>, end: UnsafePointer<UInt8>, delimiter: UInt8, delimiterIsBlank: Bool,
        into consumer: inout Consumer
    ) {
        @inline(__always)
        func isBlank(_ byte: UInt8) -> Bool {
            (byte == space || byte == tab) && !(delimiterIsBlank && byte == delimiter)
        }

        while true {
            while position < end && isBlank(position.pointee) {
                position += 1
            }
            let fieldStart = position
            while position < end {
                let byte = position.pointee
                if byte == delimiter || byte == lineFeed || byte == carriageReturn {
                    break
                }
                position += 1
            }
            var fieldEnd = position
            while fieldEnd > fieldStart && isBlank((fieldEnd - 1).pointee) {
                fieldEnd -= 1
            }
            consumer.field(fieldStart, fieldEnd - fieldStart)
            if position < end && position.pointee == delimiter {
                position += 1
                continue
            }
            break
        }
        consumer.endRecord()
    }
}

// MARK: - libcsv

/// Largest field buffer libcsv may grow to. Past it the realloc hook fails, libcsv
/// reports CSV_ENOMEM and the row is skipped as `.fieldTooLong`, so a stray quote cannot
/// make libcsv buffer the rest of a large file.
private let libcsvBufferLimit = CSVLimits.maximumFieldBytes + (256 << 10)

private func limitedRealloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    size > libcsvBufferLimit ? nil : realloc(pointer, size)
}

/// The receiver of libcsv's callbacks, a class so the callbacks can reach it through the
/// `void *` context.
private protocol LibCSVTarget: AnyObject {
    func receiveField(_ bytes: UnsafeMutableRawPointer?, _ count: Int)
    func receiveRowEnd()
}

private func libcsvFieldCallback(_ bytes: UnsafeMutableRawPointer?, _ count: Int, _ context: UnsafeMutableRawPointer?) {
    context!.assumingMemoryBound(to: (any LibCSVTarget).self).pointee.receiveField(bytes, count)
}

private func libcsvRowCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    context!.assumingMemoryBound(to: (any LibCSVTarget).self).pointee.receiveRowEnd()
}

/// Feeds libcsv's field and row callbacks to a `RecordConsumer`.
private final class LibCSVSession<Consumer: RecordConsumer>: LibCSVTarget {
    var consumer: Consumer
    /// The line on which the record being read started.
    var recordLine = 1
    var inRecord = false
    var recordsEnded = 0
    private static var emptyField: UnsafePointer<UInt8> { UnsafePointer(bitPattern: 1)! }

    init(_ consumer: Consumer) {
        self.consumer = consumer
    }

    func receiveField(_ bytes: UnsafeMutableRawPointer?, _ count: Int) {
        if !inRecord {
            consumer.beginRecord(line: recordLine)
            inRecord = true
        }
        let start = bytes.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? Self.emptyField
        consumer.field(start, count)
    }

    func receiveRowEnd() {
        if inRecord {
            consumer.endRecord()
            inRecord = false
            recordsEnded += 1
        }
    }

    func abandon(_ reason: BadRowReason) {
        if !inRecord {
            consumer.beginRecord(line: recordLine)
        }
        consumer.abandonRecord(reason)
        inRecord = false
        recordsEnded += 1
    }
}

/// Tokenizes CSV text with libcsv (quoted fields, doubled quotes, quoted line breaks).
///
/// libcsv reports no positions, so the text is fed one physical line at a time and the
/// line of a record is the line on which libcsv left its "row not begun" state. libcsv
/// runs in strict mode: a malformed quote stops it, the record is skipped as
/// `.malformedQuotes`, the parser is reset and reading resumes on the next line.
final class LibCSVTokenizer {
    // Owns the parser struct and libcsv's field buffer, freed in deinit.
    private let parser: UnsafeMutablePointer<csv_parser>

    init(delimiter: UInt8) {
        parser = .allocate(capacity: 1)
        csv_init(parser, UInt8(CSV_STRICT))
        csv_set_delim(parser, delimiter)
        csv_set_realloc_func(parser, limitedRealloc)
        csv_set_blk_size(parser, 64 << 10)
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
    }

    /// Tokenizes `bytes` (starting at line `firstLine`) into `consumer`. Stops after
    /// `recordLimit` records when given. Returns the bytes read and the line breaks read.
    func scan<Consumer: RecordConsumer>(
        _ bytes: UnsafeRawBufferPointer, firstLine: Int, into consumer: inout Consumer, recordLimit: Int? = nil
    ) -> (consumed: Int, lineBreaks: Int) {
        let session = LibCSVSession(consumer)
        let context = UnsafeMutablePointer<any LibCSVTarget>.allocate(capacity: 1)
        context.initialize(to: session)
        defer {
            context.deinitialize(count: 1)
            context.deallocate()
            consumer = session.consumer
        }

        var line = firstLine
        var offset = 0
        while offset < bytes.count {
            if let recordLimit, session.recordsEnded >= recordLimit {
                break
            }
            let (pieceEnd, hasTerminator) = Self.endOfLine(bytes, from: offset)
            if parser.pointee.pstate == 0 {
                session.recordLine = line
            }
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<pieceEnd])
            let read = csv_parse(parser, piece.baseAddress, piece.count, libcsvFieldCallback, libcsvRowCallback, context)
            if read < piece.count {
                let status = csv_error(parser)
                session.abandon(status == CSV_EPARSE ? .malformedQuotes : .fieldTooLong)
                csv_fini(parser, nil, nil, nil)
            }
            offset = pieceEnd
            if hasTerminator {
                line += 1
            }
        }

        if parser.pointee.pstate == 2 && parser.pointee.quoted != 0 {
            session.abandon(.unterminatedQuote)
            csv_fini(parser, nil, nil, nil)
        } else {
            csv_fini(parser, libcsvFieldCallback, libcsvRowCallback, context)
        }
        return (offset, line - firstLine)
    }

    /// Finds the end of the physical line that starts at `offset` (after its CR, LF or
    /// CRLF).
    private static func endOfLine(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> (Int, Bool) {
        var index = offset
        while index < bytes.count {
            let byte = bytes[index]
            if byte == lineFeed {
                return (index + 1, true)
            }
            if byte == carriageReturn {
                if index + 1 < bytes.count && bytes[index + 1] == lineFeed {
                    return (index + 2, true)
                }
                return (index + 1, true)
            }
            index += 1
        }
        return (bytes.count, false)
    }
}
