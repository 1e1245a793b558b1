import Foundation
import MMCore
import MMFeatures

/// A random catalogue at any size, for timing only. It has the same layout, id formats
/// and value distribution as the peer benchmark's generator: standard normal features,
/// `listensPerUser` distinct tracks per user with 1 to 59 plays, and uniform labels. So
/// the two pipelines read files of about the same size.
struct BenchmarkCatalogue {
    var users: Int
    var tracks: Int
    var listensPerUser: Int
    var textDimension = 512
    var imageDimension = 1024
    var audioDimension = 256
    var seed: UInt64 = 1

    static let genres: [Genre] = [
        ("blues", "蓝调"), ("classical", "古典"), ("country", "乡村"), ("disco", "迪斯科"), ("hiphop", "嘻哈"),
        ("jazz", "爵士"), ("metal", "金属"), ("pop", "流行"), ("reggae", "雷鬼"), ("rock", "摇滚"),
    ].enumerated().map { Genre(id: $0, name: $1.0, nameZh: $1.1) }

    static func userID(_ index: Int) -> String { "u" + padded(index, 7) }
    static func trackID(_ index: Int) -> String { "t" + padded(index, 7) }

    /// Returns whether `directory` already contains a catalogue of this size (its marker
    /// file matches), so a benchmark can reuse it.
    func exists(in directory: URL) -> Bool {
        let marker = try? String(contentsOf: directory.appendingPathComponent(Self.markerName), encoding: .utf8)
        return marker == markerText
    }

    func generate(into directory: URL) throws {
        precondition(listensPerUser <= tracks, "\(listensPerUser) listens per user need at least as many tracks, got \(tracks)")
        try AtomicFile.createDirectory(directory)
        var random = SeededRandom(seed: seed, stream: "benchmark-catalogue")
        try writeStore(directory.appendingPathComponent("history.csv"), idColumn: "user_id", prefix: "h",
                       ids: (0..<users).lazy.map(Self.userID), dimension: textDimension, random: &random)
        let trackIDs = (0..<tracks).map(Self.trackID)
        try writeStore(directory.appendingPathComponent("covers.csv"), idColumn: "track_id", prefix: "c",
                       ids: trackIDs, dimension: imageDimension, random: &random)
        try writeStore(directory.appendingPathComponent("clips.csv"), idColumn: "track_id", prefix: "a",
                       ids: trackIDs, dimension: audioDimension, random: &random)

        let listens = try AtomicFileWriter(url: directory.appendingPathComponent("listens.csv"))
        try listens.write("user_id,track_id,plays\n")
        var chosen = Set<Int>()
        for user in 0..<users {
            chosen.removeAll(keepingCapacity: true)
            let id = Self.userID(user)
            while chosen.count < listensPerUser {
                let track = random.index(below: tracks)
                guard chosen.insert(track).inserted else { continue }
                try listens.write("\(id),\(trackIDs[track]),\(1 + random.index(below: 59))\n")
            }
        }
        try listens.commit()

        var genres = "id,name,name_zh\n"
        for genre in Self.genres {
            genres += "\(genre.id),\(genre.name),\(genre.nameZh)\n"
        }
        try AtomicFile.write(genres, to: directory.appendingPathComponent("genres.csv"))
        let labels = try AtomicFileWriter(url: directory.appendingPathComponent("labels.csv"))
        try labels.write("user_id,genre,engagement\n")
        for user in 0..<users {
            let genre = Self.genres[random.index(below: Self.genres.count)].name
            try labels.write("\(Self.userID(user)),\(genre),\(formatFixed(Float(random.unit()), decimals: 4))\n")
        }
        try labels.commit()
        try AtomicFile.write(markerText, to: directory.appendingPathComponent(Self.markerName))
    }

    private static let markerName = ".mmbatch-benchmark"

    private var markerText: String {
        "users=\(users) tracks=\(tracks) listens=\(listensPerUser) dims=\(textDimension),\(imageDimension),\(audioDimension) seed=\(seed)\n"
    }

    private func writeStore<IDs: Sequence<String>>(
        _ url: URL, idColumn: String, prefix: String, ids: IDs, dimension: Int, random: inout SeededRandom
    ) throws {
        let writer = try AtomicFileWriter(url: url)
        try writer.write(([idColumn] + (0..<dimension).map { "\(prefix)\($0)" }).joined(separator: ",") + "\n")
        var line: [UInt8] = []
        for id in ids {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: id.utf8)
            for _ in 0..<dimension {
                line.append(UInt8(ascii: ","))
                appendFixed(Float(random.normal()), decimals: 5, to: &line)
            }
            line.append(UInt8(ascii: "\n"))
            try writer.write(bytes: line)
        }
        try writer.commit()
    }
}

private func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
