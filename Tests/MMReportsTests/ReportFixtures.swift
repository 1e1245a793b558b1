import Foundation
import MMCore

@testable import MMReports

/// Run values shaped like a real nightly run, for the report tests.
enum ReportFixtures {
    static let genres: [GenreName] = [
        GenreName("rock", chinese: "摇滚"), GenreName("pop", chinese: "流行"),
        GenreName("jazz", chinese: "爵士"), GenreName("classical", chinese: "古典"),
        GenreName("hip-hop", chinese: "嘻哈"), GenreName("electronic", chinese: "电子"),
        GenreName("folk", chinese: "民谣"), GenreName("metal", chinese: "金属"),
        GenreName("blues", chinese: "布鲁斯"), GenreName("country", chinese: "乡村"),
    ]

    static let start = UTCTime.parse("2026-12-04T02:00:01Z")!

    /// Returns a partial run of about 2,000 claimed users with `failureCount` failures,
    /// bad rows in two stores and a previous run to compare with.
    static func summary(runID: Int64 = 42, failureCount: Int = 3, userIDs: [String]? = nil) -> RunSummary {
        let failures = (0..<failureCount).map { index in
            FailureRecord(
                userID: userIDs?[index % userIDs!.count] ?? "u\(90_000 + index)",
                state: index % 3 == 0 ? .dead : .failed,
                reason: index % 3 == 0 ? "no history row for user" : "SQLite busy past the timeout",
                attempts: index % 3 == 0 ? 1 : 2)
        }
        let dead = failures.filter { $0.state == .dead }.count
        let topCounts = [412, 388, 201, 150, 240, 190, 120, 98, 101, 97]
        let scored = topCounts.reduce(0, +)
        return RunSummary(
            runID: runID, label: "20261204T020001Z", status: failureCount > 0 ? .partial : .succeeded,
            start: start, end: start.addingTimeInterval(83.4), host: "batch-01", version: "0.1.0",
            model: ModelDescription(
                path: "models/sample.safetensors", fingerprint: "9f2c4a1b7d3e5f60", variant: "attention",
                metadata: [KeyValue("hidden_dim", "512"), KeyValue("epochs", "18")]),
            stores: [
                FeatureStoreDescription(
                    name: "history", path: "data/sample/history.csv", fingerprint: "a1b2c3d4e5f60718",
                    rows: 2_000, dimension: 512,
                    badRows: [ReasonCount(reason: "non-numeric cell", count: 3), ReasonCount(reason: "NaN or infinity", count: 1)]),
                FeatureStoreDescription(
                    name: "covers", path: "data/sample/covers.csv", fingerprint: "0badc0ffee123456",
                    rows: 20_000, dimension: 1024, badRows: [], duplicateIDs: 2),
                FeatureStoreDescription(
                    name: "clips", path: "data/sample/clips.csv", fingerprint: "feedface00112233",
                    rows: 19_990, dimension: 256, badRows: [ReasonCount(reason: "wrong field count", count: 10)]),
            ],
            counts: RunCounts(
                claimed: scored + failureCount, succeeded: scored, failed: failureCount - dead, dead: dead,
                recovered: 1, usersWithMissingTracks: 37, tracksMissing: 52, usersWithoutTracks: 4),
            phases: [
                PhaseTiming("loadFeatures", seconds: 12.5), PhaseTiming("assemble", seconds: 8.25),
                PhaseTiming("inference", seconds: 55.0), PhaseTiming("writeResults", seconds: 6.1),
                PhaseTiming("reports", seconds: 0.4),
            ],
            usersPerSecond: Double(scored) / 83.4, genres: genres, topGenreCounts: topCounts,
            meanTopProbability: [0.71, 0.64, 0.58, 0.8, 0.66, 0.61, 0.49, 0.77, 0.52, nil],
            topProbabilityHistogram: Histogram(
                lowerBound: 0, upperBound: 1, counts: [0, 3, 40, 160, 300, 380, 420, 310, 260, 124]),
            engagementHistogram: Histogram(
                lowerBound: 0, upperBound: 1, counts: [12, 40, 90, 200, 380, 520, 410, 220, 90, 35]),
            failures: failures,
            comparison: RunComparison(
                previousRunID: runID - 1, previousTopGenreCounts: [400, 400, 190, 160, 230, 200, 125, 90, 105, 96],
                currentTopGenreCounts: topCounts, usersInBoth: 1_950, usersWithChangedTopGenre: 143,
                changedExamples: [
                    TopGenreChange(userID: "u00017", previousGenre: "rock", currentGenre: "metal"),
                    TopGenreChange(userID: "u00230", previousGenre: "pop", currentGenre: "electronic"),
                ]))
    }

    /// Ranked rows for `users` users and all ten genres, probabilities summing to 1.
    static func rows(users: Int) -> [RecommendationRow] {
        var rows: [RecommendationRow] = []
        for user in 0..<users {
            for rank in 1...genres.count {
                rows.append(RecommendationRow(
                    userID: String(format: "u%05d", user), rank: rank, genre: genres[(user + rank) % genres.count].name,
                    probability: 1 / Float(rank + 1) / 2.928968, engagement: Float(user % 7) / 7 - 0.1))
            }
        }
        return rows
    }

    /// Counts occurrences of `needle` in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }
}
