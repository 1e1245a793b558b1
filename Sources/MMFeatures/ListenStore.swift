import Foundation
import MMCore

/// The listens table (`listens.csv`: which user played which track how often), grouped
/// by user, so a user's listens are found in constant time and come in file order.
///
/// Rows with an empty or invalid id, or plays that are not a positive integer, are bad
/// rows. A second row for the same user and track is a duplicate: the first row is kept
/// and the duplicate counted under `.duplicateID`.
public final class ListenStore: @unchecked Sendable {
    // Immutable after init: every pointer refers to memory kept alive by `owners`.
    public let url: URL
    public let columns: ListenColumns
    public let quality: StoreQuality
    /// A hash of the parsed content, as for `FeatureStore.fingerprint`.
    public let fingerprint: String
    public let cacheStatus: CacheStatus
    /// Listens kept.
    public let count: Int

    let users: IDTable
    let userIndex: IDIndex
    let tracks: IDTable
    /// `starts[user]..<starts[user + 1]` are the user's listens.
    let starts: UnsafePointer<UInt64>
    let trackIndices: UnsafePointer<UInt32>
    let plays: UnsafePointer<UInt32>
    let cacheFile: CacheFile?
    private let owners: [AnyObject]

    public var userCount: Int { users.count }
    public var trackCount: Int { tracks.count }

    init(parts: ListenStoreParts, url: URL, cacheStatus: CacheStatus, cacheFile: CacheFile?) {
        self.url = url
        columns = parts.columns
        quality = parts.quality
        fingerprint = parts.fingerprint
        count = parts.count
        users = parts.users
        userIndex = parts.userIndex
        tracks = parts.tracks
        starts = parts.starts
        trackIndices = parts.trackIndices
        plays = parts.plays
        owners = parts.owners
        self.cacheStatus = cacheStatus
        self.cacheFile = cacheFile
    }

    /// One listen: a track and how often the user played it.
    public struct Listen: Sendable, Equatable {
        public let trackID: String
        public let plays: Int

        public init(trackID: String, plays: Int) {
            self.trackID = trackID
            self.plays = plays
        }
    }

    public func userID(at index: Int) -> String {
        precondition(index >= 0 && index < userCount, "user \(index) is outside 0..<\(userCount) of \(url.path)")
        return users.string(at: index)
    }

    /// Looks up the index of a user who has listens.
    public func userIndex(of userID: String) -> Int? {
        var key = userID
        return key.withUTF8 { userIndex.row(of: $0, ids: users) }
    }

    /// Returns the user's listens in file order, or none for a user without listens.
    public func listens(of userID: String) -> [Listen] {
        guard let user = userIndex(of: userID) else { return [] }
        return listenRange(ofUser: user).compactMap { listen in
            let track = Int(trackIndices[listen])
            // A damaged payload could hold an index out of range; skip it rather than trap.
            guard track < trackCount else { return nil }
            return Listen(trackID: tracks.string(at: track), plays: Int(plays[listen]))
        }
    }

    func listenRange(ofUser user: Int) -> Range<Int> {
        Int(starts[user])..<Int(starts[user + 1])
    }

    /// Verifies the checksum of the listens in the cache file (a deep check), or returns
    /// nil when the store did not come from a cache file.
    public func verifyPayload(workers: Int? = nil) -> Bool? {
        cacheFile?.payloadIsIntact(workers: max(1, workers ?? SystemInfo.activeCores))
    }

    /// Makes a store without listens, for a catalogue that has neither covers nor clips.
    static func empty(url: URL) -> ListenStore {
        let zero = OwnedBuffer(byteCount: 16)
        zero.base.initializeMemory(as: UInt64.self, repeating: 0, count: 2)
        let slots = OwnedBuffer(byteCount: 16 * 8)
        slots.base.initializeMemory(as: UInt64.self, repeating: 0, count: 16)
        let offsets = zero.base.assumingMemoryBound(to: UInt64.self)
        let table = IDTable(offsets: offsets, bytes: zero.base.assumingMemoryBound(to: UInt8.self), count: 0)
        let parts = ListenStoreParts(
            columns: ListenColumns(), quality: StoreQuality(file: url.path), fingerprint: "0000000000000000", count: 0,
            users: table, userIndex: IDIndex(slots: slots.base.assumingMemoryBound(to: UInt64.self), slotCount: 16),
            tracks: table, starts: offsets, trackIndices: zero.base.assumingMemoryBound(to: UInt32.self),
            plays: zero.base.assumingMemoryBound(to: UInt32.self), owners: [zero, slots])
        return ListenStore(parts: parts, url: url, cacheStatus: .disabled, cacheFile: nil)
    }
}

/// The pieces a `ListenStore` is made of, from a parse or from a cache file.
struct ListenStoreParts {
    var columns: ListenColumns
    var quality: StoreQuality
    var fingerprint: String
    var count: Int
    var users: IDTable
    var userIndex: IDIndex
    var tracks: IDTable
    var starts: UnsafePointer<UInt64>
    var trackIndices: UnsafePointer<UInt32>
    var plays: UnsafePointer<UInt32>
    var owners: [AnyObject]
}
