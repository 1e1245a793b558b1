import Foundation
import MMCore
import MMFeatures
import MMModel
import MMQueue

/// A claimed job whose user could not be scored.
struct UserFailure: Sendable {
    let job: ClaimedJob
    let reason: String
    let kind: FailureKind
}

/// The results and failures of scoring one batch.
struct BatchOutcome: Sendable {
    var results: [UserResult] = []
    /// The job of each result, in the same order.
    var resultJobs: [ClaimedJob] = []
    var failures: [UserFailure] = []
    var assembleSeconds = 0.0
    var inferenceSeconds = 0.0
}

/// One worker of the pool: its own assembler, forward workspace and output buffers,
/// reused for every batch it scores.
final class WorkerLane: @unchecked Sendable {
    // Used by one thread at a time: lane i only ever runs in iteration i of
    // `concurrentPerform`, and the runner waits for all iterations before reusing it.
    private let model: FusionModel
    private let assembler: BatchAssembler
    private let workspace = ForwardWorkspace()
    private var output = ModelOutput()

    init(model: FusionModel, inputs: ModelInputs, catalogue: Catalogue, maxTracks: Int) {
        self.model = model
        assembler = BatchAssembler(
            inputs: inputs, catalogue: catalogue, maxTracks: maxTracks, rowsInPlace: model.variant == .concat)
    }

    /// Assembles, scores and ranks one batch of jobs.
    func score(_ jobs: ArraySlice<ClaimedJob>) -> BatchOutcome {
        var outcome = BatchOutcome()
        let start = monotonicSeconds()
        assembler.assemble(jobs.lazy.map(\.userID))
        let assembled = monotonicSeconds()
        model.forward(assembler.batch, workspace: workspace, into: &output)
        outcome.assembleSeconds = assembled - start
        outcome.inferenceSeconds = monotonicSeconds() - assembled

        let first = jobs.startIndex
        outcome.failures = assembler.missing.map {
            UserFailure(job: jobs[first + $0.position], reason: $0.reason, kind: .permanent)
        }
        outcome.results.reserveCapacity(assembler.members.count)
        for (user, member) in assembler.members.enumerated() {
            let job = jobs[first + member.position]
            guard output.isFinite(user: user) else {
                // Never let NaN reach an output: the user is dead with the reason.
                let reason = Message("pipeline.run.nonFinite", ["user": job.userID]).text(in: .english)
                outcome.failures.append(UserFailure(job: job, reason: reason, kind: .permanent))
                continue
            }
            let ranked = output.rankedGenres(ofUser: user).map { (genre: model.genres[$0.index], probability: $0.probability) }
            outcome.results.append(UserResult(
                jobID: job.id, userID: job.userID, ranked: ranked, engagement: output.engagement[user],
                noTracks: member.noTracks, missingTracks: member.droppedTracks))
            outcome.resultJobs.append(job)
        }
        return outcome
    }
}
