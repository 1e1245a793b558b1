import Foundation
import MMCore

/// The outcome of a run, as the report banner and the runs list show it.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    /// Every claimed user was scored.
    case succeeded
    /// Some users failed or died; the rest were scored (exit code 1).
    case partial
    /// The run stopped before scoring its users, or every user failed.
    case failed
}

/// Everything a run report shows, filled in by the pipeline after a run.
///
/// Plain values only, so the reports module needs none of the queue, feature or model
/// types. Per-genre arrays (`topGenreCounts`, `meanTopProbability`) are aligned with
/// `genres`, index for index, because the model's classes are ordered that way.
public struct RunSummary: Codable, Sendable, Equatable {
    public var runID: Int64
    /// A human-readable name for the run, such as its UTC start `20261204T020001Z`.
    public var label: String
    public var status: RunStatus
    public var start: Date
    public var end: Date
    public var host: String
    public var version: String
    public var model: ModelDescription
    public var stores: [FeatureStoreDescription]
    public var counts: RunCounts
    /// Wall-clock seconds per phase, in the order they ran.
    public var phases: [PhaseTiming]
    /// Users scored per second of the whole run.
    public var usersPerSecond: Double
    /// The model's classes in index order.
    public var genres: [GenreName]
    /// Users whose top-ranked genre is each genre, aligned with `genres`.
    public var topGenreCounts: [Int]
    /// Mean top-1 probability of the users whose top genre is each genre, aligned with
    /// `genres`; nil for a genre that no user got.
    public var meanTopProbability: [Double?]
    /// Top-1 probability of every scored user, binned over [0, 1].
    public var topProbabilityHistogram: Histogram
    /// Predicted engagement of every scored user.
    public var engagementHistogram: Histogram
    /// Every user that failed or died in this run.
    public var failures: [FailureRecord]
    /// The figures of the run before this one, when there was one.
    public var comparison: RunComparison?
    /// The error that stopped the run early (a `failed` run), as the user would read it.
    public var stopReason: String?

    public init(
        runID: Int64, label: String, status: RunStatus, start: Date, end: Date,
        host: String = SystemInfo.hostName, version: String = SystemInfo.version,
        model: ModelDescription, stores: [FeatureStoreDescription], counts: RunCounts,
        phases: [PhaseTiming], usersPerSecond: Double, genres: [GenreName],
        topGenreCounts: [Int], meanTopProbability: [Double?],
        topProbabilityHistogram: Histogram, engagementHistogram: Histogram,
        failures: [FailureRecord], comparison: RunComparison? = nil, stopReason: String? = nil
    ) {
        self.runID = runID
        self.label = label
        self.status = status
        self.start = start
        self.end = end
        self.host = host
        self.version = version
        self.model = model
        self.stores = stores
        self.counts = counts
        self.phases = phases
        self.usersPerSecond = usersPerSecond
        self.genres = genres
        self.topGenreCounts = topGenreCounts
        self.meanTopProbability = meanTopProbability
        self.topProbabilityHistogram = topProbabilityHistogram
        self.engagementHistogram = engagementHistogram
        self.failures = failures
        self.comparison = comparison
        self.stopReason = stopReason
    }

    /// Wall-clock seconds from start to end.
    public var durationSeconds: Double { max(0, end.timeIntervalSince(start)) }
}

/// The weight file a run used.
public struct ModelDescription: Codable, Sendable, Equatable {
    public var path: String
    /// Hash of the weight file's bytes, as the runs table stores it.
    public var fingerprint: String
    /// `concat` or `attention`.
    public var variant: String
    /// The safetensors `__metadata__` pairs worth showing, in display order.
    public var metadata: [KeyValue]

    public init(path: String, fingerprint: String, variant: String, metadata: [KeyValue] = []) {
        self.path = path
        self.fingerprint = fingerprint
        self.variant = variant
        self.metadata = metadata
    }
}

/// A named text value, kept in an array so display order is the caller's.
public struct KeyValue: Codable, Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// One feature file a run read (history, covers, clips, listens).
public struct FeatureStoreDescription: Codable, Sendable, Equatable {
    /// The store's name, such as `history` or `covers`.
    public var name: String
    public var path: String
    public var fingerprint: String
    /// Good rows loaded.
    public var rows: Int
    /// Values per row (0 for `listens`, which has no embedding).
    public var dimension: Int
    /// Rows skipped, per reason, in display order.
    public var badRows: [ReasonCount]
    /// Ids that appeared more than once (only the first row was kept).
    public var duplicateIDs: Int

    public init(
        name: String, path: String, fingerprint: String, rows: Int, dimension: Int,
        badRows: [ReasonCount] = [], duplicateIDs: Int = 0
    ) {
        self.name = name
        self.path = path
        self.fingerprint = fingerprint
        self.rows = rows
        self.dimension = dimension
        self.badRows = badRows
        self.duplicateIDs = duplicateIDs
    }

    /// Bad rows of every reason.
    public var badRowTotal: Int { badRows.reduce(0) { $0 + $1.count } }
}

/// A count of skipped rows with the same reason.
///
/// `reason` is either a message catalogue key (shown translated) or plain text (shown
/// as written).
public struct ReasonCount: Codable, Sendable, Equatable {
    public var reason: String
    public var count: Int

    public init(reason: String, count: Int) {
        self.reason = reason
        self.count = count
    }
}

/// Users and tracks a run handled.
public struct RunCounts: Codable, Sendable, Equatable {
    /// Jobs the run claimed from the queue.
    public var claimed: Int
    /// Users scored and stored.
    public var succeeded: Int
    /// Users whose job failed and waits for a retry.
    public var failed: Int
    /// Users whose job has no attempts left or failed permanently.
    public var dead: Int
    /// Jobs claimed again after an earlier worker's lease expired.
    public var recovered: Int
    /// Users with at least one played track absent from covers or clips.
    public var usersWithMissingTracks: Int
    /// Played tracks dropped because covers or clips lacked them.
    public var tracksMissing: Int
    /// Users scored from their history alone because no track was usable.
    public var usersWithoutTracks: Int

    public init(
        claimed: Int, succeeded: Int, failed: Int = 0, dead: Int = 0, recovered: Int = 0,
        usersWithMissingTracks: Int = 0, tracksMissing: Int = 0, usersWithoutTracks: Int = 0
    ) {
        self.claimed = claimed
        self.succeeded = succeeded
        self.failed = failed
        self.dead = dead
        self.recovered = recovered
        self.usersWithMissingTracks = usersWithMissingTracks
        self.tracksMissing = tracksMissing
        self.usersWithoutTracks = usersWithoutTracks
    }
}

/// Wall-clock time of one phase of a run.
///
/// `phase` is one of `loadFeatures`, `assemble`, `inference`, `writeResults`, `reports`
/// (shown translated), or any other name (shown as written).
public struct PhaseTiming: Codable, Sendable, Equatable {
    public var phase: String
    public var seconds: Double

    public init(_ phase: String, seconds: Double) {
        self.phase = phase
        self.seconds = seconds
    }
}

/// A genre as genres.csv names it.
public struct GenreName: Codable, Sendable, Equatable, Hashable {
    /// The `name` column, used in CSV files and JSON.
    public var name: String
    /// The `name_zh` column, shown in Chinese reports; empty falls back to `name`.
    public var chineseName: String

    public init(_ name: String, chinese: String) {
        self.name = name
        self.chineseName = chinese
    }
}

/// Counts of values in equal-width bins from `lowerBound` to `upperBound`.
///
/// Bin i covers [lowerBound + i·w, lowerBound + (i+1)·w) with w = (upper − lower) /
/// bins; the last bin also contains `upperBound`.
public struct Histogram: Codable, Sendable, Equatable {
    public var lowerBound: Double
    public var upperBound: Double
    public var counts: [Int]

    public init(lowerBound: Double, upperBound: Double, counts: [Int]) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.counts = counts
    }

    /// Bins `values` into `bins` equal bins; values outside the bounds go to the first or
    /// last bin, and non-finite values are ignored.
    public init<Values: Sequence>(
        binning values: Values, bins: Int, lowerBound: Double, upperBound: Double
    ) where Values.Element: BinaryFloatingPoint {
        precondition(bins > 0 && upperBound > lowerBound, "histogram needs bins > 0 and upper > lower, got \(bins), \(lowerBound)...\(upperBound)")
        var counts = [Int](repeating: 0, count: bins)
        let scale = Double(bins) / (upperBound - lowerBound)
        for value in values {
            let x = Double(value)
            guard x.isFinite else { continue }
            let index = Int(((x - lowerBound) * scale).rounded(.down))
            counts[min(bins - 1, max(0, index))] += 1
        }
        self.init(lowerBound: lowerBound, upperBound: upperBound, counts: counts)
    }

    /// Returns the lower edge of bin `index` (or the upper bound for `index == counts.count`).
    public func edge(_ index: Int) -> Double {
        lowerBound + (upperBound - lowerBound) * Double(index) / Double(max(1, counts.count))
    }

    public var total: Int { counts.reduce(0, +) }
}

/// A user the run could not score.
public struct FailureRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Waits for a retry by a later run.
        case failed
        /// No attempts left, or a permanent failure.
        case dead
    }

    public var userID: String
    public var state: State
    /// The error text as the queue stored it.
    public var reason: String
    /// Attempts made so far, this one included.
    public var attempts: Int

    public init(userID: String, state: State, reason: String, attempts: Int) {
        self.userID = userID
        self.state = state
        self.reason = reason
        self.attempts = attempts
    }
}

/// The differences between this run's results and the previous run's.
public struct RunComparison: Codable, Sendable, Equatable {
    public var previousRunID: Int64
    /// Top-genre counts of the previous run, aligned with the summary's `genres`.
    public var previousTopGenreCounts: [Int]
    /// Top-genre counts of this run, aligned with `genres`.
    public var currentTopGenreCounts: [Int]
    /// Users scored in both runs.
    public var usersInBoth: Int
    /// Users in both runs whose top genre differs.
    public var usersWithChangedTopGenre: Int
    /// Some of those users, for the report's table (the pipeline chooses how many).
    public var changedExamples: [TopGenreChange]

    public init(
        previousRunID: Int64, previousTopGenreCounts: [Int], currentTopGenreCounts: [Int],
        usersInBoth: Int, usersWithChangedTopGenre: Int, changedExamples: [TopGenreChange] = []
    ) {
        self.previousRunID = previousRunID
        self.previousTopGenreCounts = previousTopGenreCounts
        self.currentTopGenreCounts = currentTopGenreCounts
        self.usersInBoth = usersInBoth
        self.usersWithChangedTopGenre = usersWithChangedTopGenre
        self.changedExamples = changedExamples
    }
}

/// One user whose top genre changed between two runs (genres by `name`).
public struct TopGenreChange: Codable, Sendable, Equatable {
    public var userID: String
    public var previousGenre: String
    public var currentGenre: String

    public init(userID: String, previousGenre: String, currentGenre: String) {
        self.userID = userID
        self.previousGenre = previousGenre
        self.currentGenre = currentGenre
    }
}

/// One ranked genre of one user, as recommendations.csv and `mmbatch export` write it.
public struct RecommendationRow: Sendable, Equatable {
    public var userID: String
    /// 1 for the most probable genre.
    public var rank: Int
    /// The genre's `name` in genres.csv.
    public var genre: String
    public var probability: Float
    public var engagement: Float

    public init(userID: String, rank: Int, genre: String, probability: Float, engagement: Float) {
        self.userID = userID
        self.rank = rank
        self.genre = genre
        self.probability = probability
        self.engagement = engagement
    }
}

/// One line of the runs list on the index page.
public struct RunListing: Codable, Sendable, Equatable {
    public var runID: Int64
    public var label: String
    public var status: RunStatus
    public var start: Date
    public var end: Date
    public var claimed: Int
    public var succeeded: Int
    public var failed: Int
    public var dead: Int

    public init(
        runID: Int64, label: String, status: RunStatus, start: Date, end: Date, claimed: Int,
        succeeded: Int, failed: Int, dead: Int
    ) {
        self.runID = runID
        self.label = label
        self.status = status
        self.start = start
        self.end = end
        self.claimed = claimed
        self.succeeded = succeeded
        self.failed = failed
        self.dead = dead
    }

    /// Creates the listing of a run from its summary.
    public init(_ summary: RunSummary) {
        self.init(
            runID: summary.runID, label: summary.label, status: summary.status,
            start: summary.start, end: summary.end, claimed: summary.counts.claimed,
            succeeded: summary.counts.succeeded, failed: summary.counts.failed,
            dead: summary.counts.dead)
    }

    public var durationSeconds: Double { max(0, end.timeIntervalSince(start)) }
}
