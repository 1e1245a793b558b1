import Foundation
import MMCore
import MMFeatures

/// The recipe of the sample catalogue that `mmbatch demo` generates.
///
/// Each genre has a prototype vector per modality (entries drawn from N(0, 1)). Each
/// track belongs to one genre, uniformly drawn, and its cover and clip are that genre's
/// prototypes plus N(0, `trackNoise`²) noise per entry. Each user has long-term genre
/// preferences π ~ Dirichlet(`preferenceConcentration`) and a current genre, the label,
/// drawn from π with probability `currentFromPreferences` and uniformly otherwise. Of the
/// user's listens, `recentListens` are tracks of the current genre with few plays
/// (1 + Poisson(`recentPlaysMean`)); the rest are drawn from π with many plays
/// (1 + Poisson(`longTermPlaysMean`)). The history embedding is
/// `historyCurrentWeight`·p[current] + `historyPreferenceWeight`·Σ π_g·p[g] + N(0, 1).
///
/// So the history alone predicts the label imperfectly, play-weighted pooling dilutes the
/// current genre among long-term tastes, and attention from the history to the tracks
/// can find it. Engagement is 0.15 + 0.75·H + N(0, 0.05²), clamped to [0, 1], where H is
/// the Herfindahl index of the user's plays over genres (how concentrated the listening
/// is). The constants were chosen once, before any model was trained on the result.
public struct SampleCatalogueRecipe: Sendable {
    public var seed: UInt64 = 20_261_204
    public var users = 2000
    public var tracks = 5000
    public var listensPerUser = 32
    public var textDimension = 512
    public var imageDimension = 1024
    public var audioDimension = 256

    public var trackNoise = 1.5
    public var preferenceConcentration = 0.3
    public var currentFromPreferences = 0.5
    public var recentListens = 6
    public var recentPlaysMean = 2.0
    public var longTermPlaysMean = 12.0
    public var historyCurrentWeight = 0.10
    public var historyPreferenceWeight = 0.10
    public var engagementNoise = 0.05

    public init() {}

    /// Writes `history.csv`, `covers.csv`, `clips.csv`, `listens.csv`, `labels.csv` and
    /// `genres.csv` into `directory`, each file atomically.
    public func generate(into directory: URL, genres: [Genre]) throws(OutputError) {
        precondition(genres.count >= 2, "the sample catalogue needs at least two genres, got \(genres.count)")
        precondition(listensPerUser > recentListens && tracks >= listensPerUser * 2,
                     "listensPerUser \(listensPerUser) must exceed recentListens \(recentListens) and tracks \(tracks) must be at least twice it")
        try AtomicFile.createDirectory(directory)

        var random = SeededRandom(seed: seed, stream: "prototypes")
        let genreCount = genres.count
        let textPrototypes = (0..<genreCount).map { _ in gaussianVector(textDimension, &random) }
        let imagePrototypes = (0..<genreCount).map { _ in gaussianVector(imageDimension, &random) }
        let audioPrototypes = (0..<genreCount).map { _ in gaussianVector(audioDimension, &random) }

        var trackRandom = SeededRandom(seed: seed, stream: "tracks")
        let trackGenres = (0..<tracks).map { _ in trackRandom.index(below: genreCount) }
        var tracksByGenre = [[Int]](repeating: [], count: genreCount)
        for (track, genre) in trackGenres.enumerated() {
            tracksByGenre[genre].append(track)
        }
        let trackIDs = (0..<tracks).map { SampleCatalogueRecipe.trackID($0) }

        try writeTrackStore(directory.appendingPathComponent("covers.csv"), idColumn: "track_id",
                            prefix: "img", ids: trackIDs, genres: trackGenres, prototypes: imagePrototypes,
                            stream: "covers")
        try writeTrackStore(directory.appendingPathComponent("clips.csv"), idColumn: "track_id",
                            prefix: "aud", ids: trackIDs, genres: trackGenres, prototypes: audioPrototypes,
                            stream: "clips")
        try writeUsers(into: directory, genres: genres, textPrototypes: textPrototypes,
                       trackGenres: trackGenres, tracksByGenre: tracksByGenre, trackIDs: trackIDs)
        try writeGenres(directory.appendingPathComponent("genres.csv"), genres: genres)
    }

    public static func userID(_ index: Int) -> String { "u" + zeroPadded(index + 1, width: 5) }
    public static func trackID(_ index: Int) -> String { "t" + zeroPadded(index + 1, width: 6) }

    // MARK: - Users

    private struct User {
        var preferences: [Double]
        var current: Int
        var listens: [(track: Int, plays: Int)]
    }

    private func makeUser(_ random: inout SeededRandom, genreCount: Int, tracksByGenre: [[Int]]) -> User {
        let preferences = random.dirichlet(count: genreCount, alpha: preferenceConcentration)
        let current = random.unit() < currentFromPreferences
            ? random.pick(weights: preferences) : random.index(below: genreCount)

        var chosen = Set<Int>()
        var listens: [(track: Int, plays: Int)] = []
        func draw(genre: Int, playsMean: Double) {
            var candidates = tracksByGenre[genre].filter { !chosen.contains($0) }
            if candidates.isEmpty {
                // The genre is exhausted (only in tiny catalogues): take any unplayed track.
                candidates = tracksByGenre.flatMap { $0 }.filter { !chosen.contains($0) }
            }
            let track = candidates[random.index(below: candidates.count)]
            chosen.insert(track)
            listens.append((track, 1 + poisson(playsMean, &random)))
        }
        for _ in 0..<recentListens {
            draw(genre: current, playsMean: recentPlaysMean)
        }
        for _ in recentListens..<listensPerUser {
            draw(genre: random.pick(weights: preferences), playsMean: longTermPlaysMean)
        }
        return User(preferences: preferences, current: current, listens: listens)
    }

    private func writeUsers(
        into directory: URL, genres: [Genre], textPrototypes: [[Float]], trackGenres: [Int],
        tracksByGenre: [[Int]], trackIDs: [String]
    ) throws(OutputError) {
        let history = try AtomicFileWriter(url: directory.appendingPathComponent("history.csv"))
        let listens = try AtomicFileWriter(url: directory.appendingPathComponent("listens.csv"))
        let labels = try AtomicFileWriter(url: directory.appendingPathComponent("labels.csv"))
        try history.write(header(idColumn: "user_id", prefix: "txt", dimension: textDimension))
        try listens.write("user_id,track_id,plays\n")
        try labels.write("user_id,genre,engagement\n")

        var userRandom = SeededRandom(seed: seed, stream: "users")
        var historyRandom = SeededRandom(seed: seed, stream: "history")
        var line = [UInt8]()
        for index in 0..<users {
            let user = makeUser(&userRandom, genreCount: genres.count, tracksByGenre: tracksByGenre)
            let id = SampleCatalogueRecipe.userID(index)

            var vector = [Float](repeating: 0, count: textDimension)
            for d in 0..<textDimension {
                var value = historyCurrentWeight * Double(textPrototypes[user.current][d])
                for (genre, weight) in user.preferences.enumerated() where weight > 0 {
                    value += historyPreferenceWeight * weight * Double(textPrototypes[genre][d])
                }
                vector[d] = Float(value + historyRandom.normal())
            }
            line.removeAll(keepingCapacity: true)
            appendRow(id: id, values: vector, to: &line)
            try history.write(bytes: line)

            var genrePlays = [Double](repeating: 0, count: genres.count)
            for listen in user.listens {
                try listens.write("\(id),\(trackIDs[listen.track]),\(listen.plays)\n")
                genrePlays[trackGenres[listen.track]] += Double(listen.plays)
            }
            let total = genrePlays.reduce(0, +)
            let concentration = genrePlays.map { ($0 / total) * ($0 / total) }.reduce(0, +)
            let engagement = min(1, max(0, 0.15 + 0.75 * concentration + engagementNoise * historyRandom.normal()))
            try labels.write("\(id),\(genres[user.current].name),\(formatFixed(Float(engagement), decimals: 4))\n")
        }
        try history.commit()
        try listens.commit()
        try labels.commit()
    }

    // MARK: - Tracks and genres

    private func writeTrackStore(
        _ url: URL, idColumn: String, prefix: String, ids: [String], genres: [Int],
        prototypes: [[Float]], stream: String
    ) throws(OutputError) {
        let dimension = prototypes[0].count
        let writer = try AtomicFileWriter(url: url)
        try writer.write(header(idColumn: idColumn, prefix: prefix, dimension: dimension))
        var random = SeededRandom(seed: seed, stream: stream)
        var vector = [Float](repeating: 0, count: dimension)
        var line = [UInt8]()
        for (index, id) in ids.enumerated() {
            let prototype = prototypes[genres[index]]
            for d in 0..<dimension {
                vector[d] = prototype[d] + Float(trackNoise * random.normal())
            }
            line.removeAll(keepingCapacity: true)
            appendRow(id: id, values: vector, to: &line)
            try writer.write(bytes: line)
        }
        try writer.commit()
    }

    private func writeGenres(_ url: URL, genres: [Genre]) throws(OutputError) {
        var text = "id,name,name_zh\n"
        for (index, genre) in genres.enumerated() {
            text += "\(index),\(genre.name),\(genre.nameZh)\n"
        }
        try AtomicFile.write(text, to: url)
    }

    private func header(idColumn: String, prefix: String, dimension: Int) -> String {
        ([idColumn] + (0..<dimension).map { "\(prefix)\($0)" }).joined(separator: ",") + "\n"
    }

    private func gaussianVector(_ dimension: Int, _ random: inout SeededRandom) -> [Float] {
        (0..<dimension).map { _ in Float(random.normal()) }
    }
}

// MARK: - Formatting and sampling helpers

/// Appends `id,v1,v2,...\n` with four decimals per value.
private func appendRow(id: String, values: [Float], to line: inout [UInt8]) {
    line.append(contentsOf: id.utf8)
    for value in values {
        line.append(UInt8(ascii: ","))
        appendFixed(value, decimals: 4, to: &line)
    }
    line.append(UInt8(ascii: "\n"))
}

/// Appends `value` rounded half away from zero to `decimals` places, without the
/// `String(format:)` bridge, which is too slow for millions of cells.
func appendFixed(_ value: Float, decimals: Int, to line: inout [UInt8]) {
    precondition(value.isFinite && abs(value) < 1e9, "sample value out of range: \(value)")
    var scale = 1.0
    for _ in 0..<decimals {
        scale *= 10
    }
    let scaled = Int64((Double(value).magnitude * scale).rounded())
    if value < 0 && scaled != 0 {
        line.append(UInt8(ascii: "-"))
    }
    let integerPart = scaled / Int64(scale)
    line.append(contentsOf: String(integerPart).utf8)
    guard decimals > 0 else { return }
    line.append(UInt8(ascii: "."))
    let fraction = String(scaled % Int64(scale))
    line.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: decimals - fraction.utf8.count))
    line.append(contentsOf: fraction.utf8)
}

func formatFixed(_ value: Float, decimals: Int) -> String {
    var bytes = [UInt8]()
    appendFixed(value, decimals: decimals, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
}

private func zeroPadded(_ value: Int, width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// A Poisson draw by Knuth's multiplication method, adequate for the small means here.
private func poisson(_ mean: Double, _ random: inout SeededRandom) -> Int {
    let limit = exp(-mean)
    var product = random.unit()
    var count = 0
    while product > limit {
        count += 1
        product *= random.unit()
    }
    return count
}
