/// Where each distinct track of listens.csv is in covers.csv and clips.csv, and its place
/// in track-id order, computed once when a catalogue opens, so choosing a user's tracks
/// takes no hash lookup and no string comparison per listen.
final class TrackRows: Sendable {
    /// Row in covers.csv per listens track index, -1 when covers lack the track.
    let coverRows: [Int32]
    /// Row in clips.csv per listens track index, -1 when clips lack the track.
    let clipRows: [Int32]
    /// Rank of each track id in ascending byte (code-point) order, for breaking ties.
    let idRanks: [Int32]

    init(listens: ListenStore, covers: FeatureStore?, clips: FeatureStore?) {
        let tracks = listens.tracks
        let count = listens.trackCount
        coverRows = Self.rows(of: tracks, count: count, in: covers)
        clipRows = Self.rows(of: tracks, count: count, in: clips)

        var order = Array(0..<count)
        order.sort { precedes(tracks.bytes(at: $0), tracks.bytes(at: $1)) }
        var ranks = [Int32](repeating: 0, count: count)
        for (rank, track) in order.enumerated() {
            ranks[track] = Int32(rank)
        }
        idRanks = ranks
    }

    private static func rows(of tracks: IDTable, count: Int, in store: FeatureStore?) -> [Int32] {
        guard let store else { return [Int32](repeating: -1, count: count) }
        return (0..<count).map { track in
            store.row(ofBytes: tracks.bytes(at: track)).map { Int32($0) } ?? -1
        }
    }
}

/// Byte-wise lexicographic order of UTF-8, which is code-point order.
func precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    let common = min(left.count, right.count)
    if common > 0 {
        let order = memcmp(left.baseAddress!, right.baseAddress!, common)
        if order != 0 {
            return order < 0
        }
    }
    return left.count < right.count
}

#if canImport(Glibc)
import Glibc
#endif
