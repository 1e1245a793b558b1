import Foundation
import MMCore

/// The outcome of a run.
public enum RunStatus: String, Sendable, CaseIterable, Codable {
    /// Still working, or killed before it could record an outcome.
    case running
    /// Every claimed job finished done.
    case succeeded
    /// Some jobs failed or died; the rest are done.
    case partial
    /// The run stopped on an error of its own.
    case failed
    /// Its process was found gone while the run was still marked running.
    case abandoned
}

/// The facts a run records about itself when it starts.
public struct RunStart: Sendable {
    public var startedAt: Date
    public var host: String
    public var pid: Int32
    public var modelPath: String
    public var modelFingerprint: String
    /// The run's options as a JSON object, stored as text.
    public var optionsJSON: String
    public var version: String

    public init(
        startedAt: Date = Date(), host: String = SystemInfo.hostName, pid: Int32 = getpid(),
        modelPath: String, modelFingerprint: String, optionsJSON: String = "{}",
        version: String = SystemInfo.version
    ) {
        self.startedAt = startedAt
        self.host = host
        self.pid = pid
        self.modelPath = modelPath
        self.modelFingerprint = modelFingerprint
        self.optionsJSON = optionsJSON
        self.version = version
    }
}

/// Job counts of a run.
public struct RunCounts: Sendable, Equatable, Codable {
    public var claimed = 0
    public var done = 0
    public var failed = 0
    public var dead = 0
    /// Abandoned jobs put back by this run's recovery at its start.
    public var recovered = 0

    public init(claimed: Int = 0, done: Int = 0, failed: Int = 0, dead: Int = 0, recovered: Int = 0) {
        self.claimed = claimed
        self.done = done
        self.failed = failed
        self.dead = dead
        self.recovered = recovered
    }
}

/// A row of the runs table.
public struct RunRecord: Sendable, Equatable {
    public var id: Int64
    public var startedAt: Date
    public var endedAt: Date?
    public var status: RunStatus
    public var host: String
    public var pid: Int32
    public var modelPath: String
    public var modelFingerprint: String
    public var optionsJSON: String
    public var version: String
    public var counts: RunCounts
    /// The summary the run wrote when it finished, a JSON object as text.
    public var summaryJSON: String
}

// MARK: - Reading results

/// A result row as stored, with the ranking decoded.
public struct StoredResult: Sendable {
    public var runID: Int64
    public var jobID: Int64
    public var userID: String
    /// All G genres with their probabilities, highest first.
    public var ranked: [(genre: String, probability: Float)]
    public var engagement: Float
    public var noTracks: Bool
    public var missingTracks: Int
    public var createdAt: Date

    public var topGenre: String { ranked.first?.genre ?? "" }
    public var topProbability: Float { ranked.first?.probability ?? 0 }
}

/// How many users of a run got a genre as their top genre.
public struct GenreCount: Sendable, Equatable, Codable {
    public var genre: String
    public var users: Int

    public init(genre: String, users: Int) {
        self.genre = genre
        self.users = users
    }
}

/// A run's top genres next to those of the run before it.
public struct RunComparison: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var genre: String
        public var current: Int
        public var previous: Int
    }

    public var runID: Int64
    /// The newest earlier run that has results.
    public var previousRunID: Int64
    /// Every genre that is a top genre in either run, by current count then name.
    public var genres: [Row]
    /// Users with results in both runs.
    public var commonUsers: Int
    /// Users in both runs whose top genre differs.
    public var changedTopGenre: Int
}
