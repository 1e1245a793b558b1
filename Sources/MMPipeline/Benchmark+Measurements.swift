import Foundation
import MMCore
import MMFeatures
import MMModel
import MMQueue

extension Benchmark {
    /// Measures the sgemm rate at the model's layer shapes and the forward pass's rate,
    /// both on `workers` threads at once with one OpenBLAS thread each, as a run computes.
    func measureCompute(model: FusionModel, catalogue: Catalogue, into result: inout BenchmarkResult) throws {
        BLAS.setThreadCount(1)
        let lanes = max(1, workers)
        let dimensions = model.dimensions
        let size = batchSize
        let duration = seconds

        // The peak is measured before and after the forward pass and the higher figure
        // kept, so a moment of load from other processes on a shared machine does not
        // make the forward pass look faster than the machine.
        func measurePeak() -> Double {
            let peaks = IndexedResults<Double>(count: lanes)
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                peaks.store(sgemmPeak(dimensions: dimensions, batchSize: size, seconds: duration), at: lane)
            }
            return peaks.values(placeholder: 0).reduce(0, +)
        }
        Log.info(Message("pipeline.bench.sgemm"), ["workers": lanes, "batch_size": size])
        let peakBefore = measurePeak()

        let inputs = try ModelInputs.align(model: model, catalogue: catalogue, modelPath: "benchmark")
        let batchesPerLane = 4
        let userIDs = (0..<min(catalogue.history.count, lanes * batchesPerLane * size)).map(catalogue.history.id(at:))
        let assembleStart = monotonicSeconds()
        var assembled: [ModelBatch] = []
        let assembler = BatchAssembler(
            inputs: inputs, catalogue: catalogue, maxTracks: Defaults.maxTracks, rowsInPlace: model.variant == .concat)
        for start in stride(from: 0, to: userIDs.count, by: size) {
            assembler.assemble(userIDs[start..<min(userIDs.count, start + size)])
            assembled.append(assembler.batch)
        }
        let batches = assembled
        result.assembleUsersPerSecond = Double(userIDs.count) / max(monotonicSeconds() - assembleStart, 1e-9)

        Log.info(Message("pipeline.bench.forward"), ["workers": lanes, "batches": batches.count])
        let usersScored = IndexedResults<Double>(count: lanes)
        let elapsed = IndexedResults<Double>(count: lanes)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let workspace = ForwardWorkspace()
            var output = ModelOutput()
            let mine = stride(from: lane, to: batches.count, by: lanes).map { batches[$0] }
            guard !mine.isEmpty else { return }
            model.forward(mine[0], workspace: workspace, into: &output)
            var users = 0
            let start = monotonicSeconds()
            var now = start
            repeat {
                for batch in mine {
                    model.forward(batch, workspace: workspace, into: &output)
                    users += batch.userCount
                }
                now = monotonicSeconds()
            } while now - start < duration
            usersScored.store(Double(users), at: lane)
            elapsed.store(now - start, at: lane)
        }
        result.inferenceUsersPerSecond = zip(usersScored.values(placeholder: 0), elapsed.values(placeholder: 0)).reduce(0) { $0 + $1.0 / max($1.1, 1e-9) }
        result.inferenceGFLOPS = result.inferenceUsersPerSecond * result.flopsPerUser / 1e9
        result.sgemmPeakGFLOPS = max(peakBefore, measurePeak())
    }

    /// Times a whole run from CSV (cache removed) and a whole run from the cache, each in
    /// a fresh process on a fresh database holding every user of the catalogue.
    func measureRuns(data: URL, model: URL, folder: URL, into result: inout BenchmarkResult) throws {
        let userIDs = try catalogueUserIDs(dataDirectory: data)
        let executable = currentExecutablePath()
        let log = folder.appendingPathComponent("runs.log")

        for cold in [true, false] {
            if cold {
                try? FileManager.default.removeItem(at: data.appendingPathComponent(".mmcache"))
            }
            let database = folder.appendingPathComponent(cold ? "cold.db" : "warm.db").path
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: database + suffix)
            }
            let enqueueStart = monotonicSeconds()
            _ = try QueueOperations(databasePath: database).enqueue(userIDs: userIDs, priority: 0, runAfter: nil)
            result.enqueueAllSeconds = monotonicSeconds() - enqueueStart

            Log.info(Message(cold ? "pipeline.bench.coldRun" : "pipeline.bench.warmRun"), ["users": userIDs.count])
            try? FileManager.default.removeItem(at: log)
            var run = try runChildProcess(executable, arguments: [
                "run", "--data", data.path, "--db", database, "--model", model.path,
                "--reports", folder.appendingPathComponent("reports").path, "--workers", "\(workers)",
                "--batch-size", "\(batchSize)", "--log-level", "info",
            ], logFile: log)
            guard run.status == 0 else {
                throw PipelineError.runFailed(reason: "benchmark run exited \(run.status); see \(log.path)")
            }
            // wait4's ru_maxrss keeps the parent's peak across posix_spawn's exec, so the
            // run's own figure (VmHWM, which exec resets) comes from its last log line.
            if let reported = peakResidentBytes(inLog: log) {
                run.peakResidentBytes = reported
            }
            let rate = Double(userIDs.count) / max(run.seconds, 1e-9)
            if cold {
                result.coldSeconds = run.seconds
                result.coldUsersPerSecond = rate
                result.coldPeakResidentBytes = run.peakResidentBytes
            } else {
                result.warmSeconds = run.seconds
                result.warmUsersPerSecond = rate
                result.peakResidentBytes = run.peakResidentBytes
            }
        }
    }
}

/// Reads `peak_rss_bytes` from the last "run finished" line of a run's log.
func peakResidentBytes(inLog url: URL) -> Int? {
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n").reversed() {
        guard let range = line.range(of: " peak_rss_bytes=") else { continue }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }
    return nil
}
