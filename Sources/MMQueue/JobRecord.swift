import Foundation
import MMCore

/// A job as `mmbatch jobs` lists it.
public struct JobRecord: Sendable, Equatable {
    public var id: Int64
    public var userID: String
    public var state: JobState
    public var priority: Int
    /// Attempts made since the job was enqueued or last retried by hand.
    public var attempts: Int
    /// When a pending or failed job becomes claimable; nil when it already is.
    public var runAfter: Date?
    public var enqueuedAt: Date
    /// When the latest attempt started.
    public var claimedAt: Date?
    /// When the job became done or dead.
    public var finishedAt: Date?
    /// The process that holds (running) or last held the job.
    public var owner: LeaseOwner?
    /// When the lease of a running job expires.
    public var leaseExpires: Date?
    public var lastError: String?
}

// MARK: - JSON

extension JobRecord: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, userID = "user_id", state, priority, attempts, runAfter = "run_after"
        case enqueuedAt = "enqueued_at", claimedAt = "claimed_at", finishedAt = "finished_at"
        case host, pid, runID = "run_id", leaseExpires = "lease_expires", lastError = "last_error"
    }

    /// Encodes one JSON object per job for `jobs --json`. Times are ISO 8601 UTC text,
    /// and absent values are null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userID, forKey: .userID)
        try container.encode(state, forKey: .state)
        try container.encode(priority, forKey: .priority)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(runAfter.map { UTCTime($0).iso8601 }, forKey: .runAfter)
        try container.encode(UTCTime(enqueuedAt).iso8601, forKey: .enqueuedAt)
        try container.encode(claimedAt.map { UTCTime($0).iso8601 }, forKey: .claimedAt)
        try container.encode(finishedAt.map { UTCTime($0).iso8601 }, forKey: .finishedAt)
        try container.encode(owner?.host, forKey: .host)
        try container.encode(owner?.pid, forKey: .pid)
        try container.encode(owner?.runID, forKey: .runID)
        try container.encode(leaseExpires.map { UTCTime($0).iso8601 }, forKey: .leaseExpires)
        try container.encode(lastError, forKey: .lastError)
    }
}

/// JSON text for the queue's machine-readable output, with sorted keys so the output is
/// stable from one call to the next.
public enum QueueJSON {
    /// `{"dead":0,"done":12,"failed":1,"pending":3,"running":0}` for `status --json`.
    public static func counts(_ counts: [JobState: Int]) -> String {
        let object = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0.rawValue, counts[$0] ?? 0) })
        return encode(object)
    }

    /// Encodes `value` as one JSON object on one line.
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONEncoder fails only on non-finite numbers, which none of these types hold.
        let data = try! encoder.encode(value)
        return String(decoding: data, as: UTF8.self)
    }
}

extension RunRecord: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, startedAt = "started_at", endedAt = "ended_at", status, host, pid
        case modelPath = "model_path", modelFingerprint = "model_fingerprint", options, version
        case claimed, done, failed, dead, recovered, summary
    }

    /// Encodes one JSON object per run for `status --json`. Times are ISO 8601 UTC text,
    /// and the stored options and summary are embedded as JSON when they parse.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(UTCTime(startedAt).iso8601, forKey: .startedAt)
        try container.encode(endedAt.map { UTCTime($0).iso8601 }, forKey: .endedAt)
        try container.encode(status, forKey: .status)
        try container.encode(host, forKey: .host)
        try container.encode(pid, forKey: .pid)
        try container.encode(modelPath, forKey: .modelPath)
        try container.encode(modelFingerprint, forKey: .modelFingerprint)
        try container.encode(EmbeddedJSON(optionsJSON), forKey: .options)
        try container.encode(version, forKey: .version)
        try container.encode(counts.claimed, forKey: .claimed)
        try container.encode(counts.done, forKey: .done)
        try container.encode(counts.failed, forKey: .failed)
        try container.encode(counts.dead, forKey: .dead)
        try container.encode(counts.recovered, forKey: .recovered)
        try container.encode(EmbeddedJSON(summaryJSON), forKey: .summary)
    }
}

/// JSON text stored in a column, re-encoded as a JSON value, or as a string when it
/// does not parse.
private struct EmbeddedJSON: Encodable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            try container.encode(text)
            return
        }
        try container.encode(value)
    }
}

/// Any JSON value, for passing stored JSON through `Codable`.
private enum JSONValue: Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers print without ".0", as they were stored.
            if value.rounded() == value, abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
