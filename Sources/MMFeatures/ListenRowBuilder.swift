import MMCore

/// The column names of a listens table.
public struct ListenColumns: Sendable, Equatable, Codable {
    public var user: String
    public var track: String
    public var plays: String

    /// `user_id`, `track_id`, `plays`: the catalogue's `listens.csv`.
    public init(user: String = "user_id", track: String = "track_id", plays: String = "plays") {
        self.user = user
        self.track = track
        self.plays = plays
    }
}

/// Builds the listens of one chunk: user id, track id and play count per row, with the
/// row's line. Other columns are ignored.
struct ListenRowBuilder: RecordConsumer {
    static let userRole: Int8 = 0
    static let trackRole: Int8 = 1
    static let playsRole: Int8 = 2
    static let ignoredRole: Int8 = -1

    private let roles: [Int8]
    private let header: [String]

    private(set) var userBytes: [UInt8] = []
    private(set) var userEnds: [Int] = []
    private(set) var trackBytes: [UInt8] = []
    private(set) var trackEnds: [Int] = []
    private(set) var plays: [UInt32] = []
    private(set) var lines: [Int32] = []
    /// `IDIndex.hash` of each kept row's user and track, computed here so the
    /// sequential merge does not hash.
    private(set) var userHashes: [UInt64] = []
    private(set) var trackHashes: [UInt64] = []
    var quality: StoreQuality

    private var column = 0
    private var line = 0
    private var currentPlays: UInt32 = 0
    private var bad = false
    private var problem: BadRowExample?
    private var extraField: String?

    init(roles: [Int8], header: [String], file: String) {
        self.roles = roles
        self.header = header
        quality = StoreQuality(file: file)
    }

    var count: Int { plays.count }

    mutating func beginRecord(line: Int) {
        self.line = line
        column = 0
        extraField = nil
        if bad {
            bad = false
            problem = nil
        }
    }

    mutating func field(_ start: UnsafePointer<UInt8>, _ length: Int) {
        let index = column
        column += 1
        let cell = UnsafeBufferPointer(start: start, count: length)
        if bad {
            return
        }
        if index >= roles.count {
            if index == roles.count {
                extraField = BadRowExample.displayValue(cell)
            }
            return
        }
        if length > CSVLimits.maximumFieldBytes {
            reject(.fieldTooLong, column: index, cell)
            return
        }
        switch roles[index] {
        case Self.userRole:
            if let reason = IDValidation.problem(cell) {
                reject(reason, column: index, cell)
            } else {
                userBytes.append(contentsOf: cell)
            }
        case Self.trackRole:
            if let reason = IDValidation.problem(cell) {
                reject(reason, column: index, cell)
            } else {
                trackBytes.append(contentsOf: cell)
            }
        case Self.playsRole:
            if length == 0 {
                reject(.emptyCell, column: index, cell)
            } else if let value = NumberParsing.parsePositiveInteger(start, length) {
                currentPlays = UInt32(value)
            } else {
                reject(.invalidPlays, column: index, cell)
            }
        default:
            break
        }
    }

    mutating func endRecord() {
        quality.rowsRead += 1
        if !bad && column != roles.count {
            let tooFew = column < roles.count
            bad = true
            problem = BadRowExample(
                file: quality.file, line: line, column: tooFew ? header[column] : "",
                value: tooFew ? "" : extraField ?? "", reason: tooFew ? .tooFewFields : .tooManyFields,
                details: ["expected": String(roles.count), "found": String(column)])
        }
        let userStart = userEnds.last ?? 0
        let trackStart = trackEnds.last ?? 0
        if bad {
            userBytes.removeSubrange(userStart...)
            trackBytes.removeSubrange(trackStart...)
            if let problem {
                quality.record(problem)
            }
            return
        }
        quality.rowsKept += 1
        userEnds.append(userBytes.count)
        trackEnds.append(trackBytes.count)
        userHashes.append(userBytes.withUnsafeBufferPointer { IDIndex.hash(UnsafeBufferPointer(rebasing: $0[userStart...])) })
        trackHashes.append(trackBytes.withUnsafeBufferPointer { IDIndex.hash(UnsafeBufferPointer(rebasing: $0[trackStart...])) })
        plays.append(currentPlays)
        lines.append(Int32(truncatingIfNeeded: line))
    }

    mutating func abandonRecord(_ reason: BadRowReason) {
        bad = true
        problem = BadRowExample(file: quality.file, line: line, column: "", value: "", reason: reason)
        endRecord()
    }

    private mutating func reject(_ reason: BadRowReason, column: Int, _ cell: UnsafeBufferPointer<UInt8>) {
        var details: [String: String] = [:]
        if reason == .invalidPlays {
            details["max"] = String(Int32.max)
        }
        bad = true
        problem = BadRowExample(
            file: quality.file, line: line, column: header[column], value: BadRowExample.displayValue(cell),
            reason: reason, details: details)
    }

    func user(at row: Int) -> ArraySlice<UInt8> {
        userBytes[(row == 0 ? 0 : userEnds[row - 1])..<userEnds[row]]
    }

    func track(at row: Int) -> ArraySlice<UInt8> {
        trackBytes[(row == 0 ? 0 : trackEnds[row - 1])..<trackEnds[row]]
    }
}
