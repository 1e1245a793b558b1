import Foundation

/// Classification and regression metrics as pure functions.
///
/// Probabilities are flat row-major [N × G] arrays. Rankings break ties by genre index,
/// as `rankedGenres` does, so a prediction is the highest probability with the lowest
/// index among equals.
public enum Metrics {
    /// The predicted genre per row: the index of the highest probability.
    public static func predictions(probabilities: [Float], genreCount: Int) -> [Int] {
        rowCount(probabilities, genreCount).map { row in
            topIndices(probabilities, row: row, genreCount: genreCount, count: 1)[0]
        }
    }

    /// The fraction of rows whose label is among the k most probable genres.
    public static func topKAccuracy(probabilities: [Float], genreCount: Int, labels: [Int], k: Int) -> Double {
        let rows = checkedRows(probabilities, genreCount, labels)
        guard rows > 0 else { return 0 }
        let hits = (0..<rows).filter { row in
            topIndices(probabilities, row: row, genreCount: genreCount, count: k).contains(labels[row])
        }.count
        return Double(hits) / Double(rows)
    }

    /// NDCG@k with one relevant genre per row: 1/log2(rank + 1) when the label's rank is at
    /// most k (rank 1 = most probable), else 0; the ideal DCG is 1.
    public static func ndcg(probabilities: [Float], genreCount: Int, labels: [Int], k: Int) -> Double {
        let rows = checkedRows(probabilities, genreCount, labels)
        guard rows > 0 else { return 0 }
        var total = 0.0
        for row in 0..<rows {
            let top = topIndices(probabilities, row: row, genreCount: genreCount, count: k)
            if let position = top.firstIndex(of: labels[row]) {
                total += 1 / log2(Double(position + 2))
            }
        }
        return total / Double(rows)
    }

    /// counts[true genre][predicted genre].
    public static func confusionMatrix(predictions: [Int], labels: [Int], classCount: Int) -> [[Int]] {
        precondition(predictions.count == labels.count, "\(predictions.count) predictions for \(labels.count) labels")
        var matrix = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        for (predicted, label) in zip(predictions, labels) {
            matrix[label][predicted] += 1
        }
        return matrix
    }

    /// The unweighted mean of per-class F1 over the classes that occur among the labels or
    /// the predictions (as scikit-learn's `f1_score(average="macro")`); a class with no
    /// true positives has F1 = 0.
    public static func macroF1(predictions: [Int], labels: [Int], classCount: Int) -> Double {
        let matrix = confusionMatrix(predictions: predictions, labels: labels, classCount: classCount)
        var scores: [Double] = []
        for genre in 0..<classCount {
            let truePositives = matrix[genre][genre]
            let actual = matrix[genre].reduce(0, +)
            let predicted = matrix.reduce(0) { $0 + $1[genre] }
            guard actual + predicted > 0 else { continue }
            scores.append(2 * Double(truePositives) / Double(actual + predicted))
        }
        return scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
    }

    /// sqrt(mean((prediction − target)²)).
    public static func rootMeanSquaredError(predictions: [Float], targets: [Float]) -> Double {
        precondition(predictions.count == targets.count, "\(predictions.count) predictions for \(targets.count) targets")
        guard !targets.isEmpty else { return 0 }
        let sum = zip(predictions, targets).reduce(0.0) { total, pair in
            let difference = Double(pair.0) - Double(pair.1)
            return total + difference * difference
        }
        return (sum / Double(targets.count)).squareRoot()
    }

    /// Expected calibration error over equal-width bins of the top-1 probability:
    /// Σ_b (n_b / N) · |accuracy_b − mean confidence_b|. Bin b covers (b/B, (b+1)/B], and
    /// a confidence of exactly 0 goes to the first bin.
    public static func expectedCalibrationError(
        probabilities: [Float], genreCount: Int, labels: [Int], binCount: Int = 15
    ) -> Double {
        let rows = checkedRows(probabilities, genreCount, labels)
        guard rows > 0 else { return 0 }
        var counts = [Int](repeating: 0, count: binCount)
        var correct = [Int](repeating: 0, count: binCount)
        var confidence = [Double](repeating: 0, count: binCount)
        for row in 0..<rows {
            let predicted = topIndices(probabilities, row: row, genreCount: genreCount, count: 1)[0]
            let top = Double(probabilities[row * genreCount + predicted])
            let bin = min(binCount - 1, max(0, Int((top * Double(binCount)).rounded(.up)) - 1))
            counts[bin] += 1
            confidence[bin] += top
            if predicted == labels[row] {
                correct[bin] += 1
            }
        }
        var error = 0.0
        for bin in 0..<binCount where counts[bin] > 0 {
            let count = Double(counts[bin])
            error += count / Double(rows) * abs(Double(correct[bin]) / count - confidence[bin] / count)
        }
        return error
    }

    /// The most frequent training label (lowest index among ties) and the accuracy of
    /// always predicting it on the evaluation labels.
    public static func majorityBaseline(
        trainingLabels: [Int], evaluationLabels: [Int], classCount: Int
    ) -> (genre: Int, accuracy: Double) {
        var counts = [Int](repeating: 0, count: classCount)
        for label in trainingLabels {
            counts[label] += 1
        }
        var genre = 0
        for candidate in 1..<max(1, classCount) where counts[candidate] > counts[genre] {
            genre = candidate
        }
        guard !evaluationLabels.isEmpty else { return (genre, 0) }
        let hits = evaluationLabels.filter { $0 == genre }.count
        return (genre, Double(hits) / Double(evaluationLabels.count))
    }

    // MARK: - Helpers

    private static func rowCount(_ probabilities: [Float], _ genreCount: Int) -> Range<Int> {
        precondition(genreCount > 0 && probabilities.count % genreCount == 0,
            "\(probabilities.count) probabilities are not rows of \(genreCount)")
        return 0..<(probabilities.count / genreCount)
    }

    private static func checkedRows(_ probabilities: [Float], _ genreCount: Int, _ labels: [Int]) -> Int {
        let rows = rowCount(probabilities, genreCount).count
        precondition(rows == labels.count, "\(rows) probability rows for \(labels.count) labels")
        return rows
    }

    /// The indices of the `count` highest probabilities of a row, ties by lower index.
    private static func topIndices(_ probabilities: [Float], row: Int, genreCount: Int, count: Int) -> [Int] {
        let slice = probabilities[(row * genreCount)..<((row + 1) * genreCount)]
        return rankedGenres(slice).prefix(count).map(\.index)
    }
}
