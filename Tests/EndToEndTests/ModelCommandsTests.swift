import Foundation
import MMPipelineTestSupport
import MMTestSupport
import Testing

/// Training, evaluation and benchmarking through the binary.
@Suite(.serialized) struct ModelCommandsTests {
    @Test func gtzanCrossValidationReachesTarget() throws {
        let table = try SharedData.require("datasets/gtzan-features/features_30_sec.csv")
        let folder = TemporaryDirectory("gtzan-cv")
        let copy = folder.path("features_30_sec.csv")
        try FileManager.default.copyItem(at: table, to: copy)

        let output = try BuiltBinary.run([
            "train", "--table", copy.path, "--id-column", "filename", "--label-column", "label", "--ignore", "length",
            "--folds", "5",
        ])

        #expect(output.status == 0, "\(output.stderr.suffix(500))")
        #expect(output.stdout.contains("table: 1000 rows, 57 features, 10 genres"))
        let summary = try #require(output.stdout.split(separator: "\n").first { $0.hasPrefix("mean accuracy over 5 folds") })
        print("GTZAN 5-fold cross-validation: \(summary)")
        let percent = try #require(Double(summary.split(separator: " ")[5].dropLast()))
        #expect(percent >= 75.0, "\(summary)")
        #expect(output.stdout.split(separator: "\n").filter { $0.hasPrefix("fold ") }.count == 5)
    }

    @Test func evaluatePrintsBaselinesAndGap() throws {
        let fixture = try CatalogueFixture("evaluate", train: false)
        let output = try BuiltBinary.run([
            "evaluate", "--data", fixture.data.path, "--reports", fixture.reports.path, "--seeds", "2",
            "--hidden", "16", "--epochs", "3", "--batch-size", "32",
        ])

        #expect(output.status == 0, "\(output.stderr.suffix(500))")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.first == "held-out metrics on 20 users, mean ± sd over seeds 1, 2:")
        for name in ["concat", "attention", "history", "majority", "attention − concat"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "no row for \(name)")
        }
        let json = try Data(contentsOf: fixture.reports.appendingPathComponent("evaluation.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["models"] as? [Any])?.count == 4)
        #expect(object["attentionMinusConcat"] != nil)
        #expect(FileManager.default.fileExists(atPath: fixture.reports.appendingPathComponent("evaluation.html").path))
    }

    @Test func benchPrintsEveryKey() throws {
        let folder = TemporaryDirectory("bench")
        let output = try BuiltBinary.run([
            "bench", "--users", "300", "--tracks", "400", "--listens", "8", "--seconds", "0.2", "--json",
            "--dir", folder.url.path,
        ])

        #expect(output.status == 0, "\(output.stderr.suffix(500))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let keys = [
            "sgemm_peak_gflops", "inference_gflops", "inference_users_per_s", "csv_parse_mb_per_s", "warm_load_s",
            "enqueue_jobs_per_s", "cold_users_per_s", "warm_users_per_s", "peak_rss_bytes", "data_bytes",
        ]
        for key in keys {
            let value = try #require(object[key] as? Double, "missing \(key)")
            #expect(value > 0, "\(key) = \(value)")
        }
        #expect(object["users"] as? Int == 300)
    }
}
