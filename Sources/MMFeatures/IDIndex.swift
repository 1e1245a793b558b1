import Foundation
import MMCore

/// Row ids as UTF-8 bytes: `offsets[row]..<offsets[row + 1]` in `bytes`. The memory
/// belongs to the store (a mapped cache file or buffers built in memory).
struct IDTable: @unchecked Sendable {
    // Points into memory that the owning store keeps alive and never writes after build.
    let offsets: UnsafePointer<UInt64>
    let bytes: UnsafePointer<UInt8>
    let count: Int

    @inline(__always)
    func bytes(at row: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[row])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[row + 1]) - start)
    }

    func string(at row: Int) -> String {
        String(decoding: bytes(at: row), as: UTF8.self)
    }
}

/// An open-addressing hash table from id bytes to row, stored as one array of 64-bit
/// slots so it can live in the cache file as is. A slot's high 32 bits are the high half
/// of the id's `Hash64` and its low 32 bits the row plus one; 0 marks an empty slot.
/// Probing is linear, and the table is at most half full.
struct IDIndex: @unchecked Sendable {
    // Points into memory that the owning store keeps alive and never writes after build.
    let slots: UnsafePointer<UInt64>
    let slotCount: Int

    /// Slots for `count` ids: the smallest power of two (at least 16) that is at least
    /// twice the count.
    static func slotCount(for count: Int) -> Int {
        var slots = 16
        while slots < count * 2 {
            slots <<= 1
        }
        return slots
    }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        Hash64.of(UnsafeRawBufferPointer(key))
    }

    /// Looks up the row whose id is `key`.
    func row(of key: UnsafeBufferPointer<UInt8>, ids: IDTable) -> Int? {
        let hash = Self.hash(key)
        let tag = hash >> 32
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 {
                return nil
            }
            if entry >> 32 == tag {
                let row = Int(entry & 0xFFFF_FFFF) - 1
                if row < ids.count, Self.equal(ids.bytes(at: row), key) {
                    return row
                }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }
}

/// Builds an `IDIndex` and its `IDTable` together, one id at a time in row order.
struct IDIndexBuilder {
    private(set) var slots: [UInt64]
    private(set) var offsets: [UInt64] = [0]
    private(set) var bytes: [UInt8] = []
    private var mask: Int

    /// - Parameter capacity: the expected number of ids; the table grows past it.
    init(capacity: Int, byteCapacity: Int = 0) {
        let count = IDIndex.slotCount(for: capacity)
        slots = [UInt64](repeating: 0, count: count)
        mask = count - 1
        offsets.reserveCapacity(capacity + 1)
        bytes.reserveCapacity(byteCapacity)
    }

    /// Doubles the table and inserts every id again.
    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for row in 0..<count {
            let start = Int(offsets[row])
            let end = Int(offsets[row + 1])
            let hash = bytes.withUnsafeBufferPointer { IDIndex.hash(UnsafeBufferPointer(rebasing: $0[start..<end])) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                slot = (slot + 1) & mask
            }
            slots[slot] = (hash >> 32) << 32 | UInt64(row + 1)
        }
    }

    var count: Int { offsets.count - 1 }

    /// Appends `key` as the next row and returns nil, or returns the row that already has
    /// this id and appends nothing.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        insert(key, hash: IDIndex.hash(key))
    }

    /// Inserts `key` whose `IDIndex.hash` is `hash`, computed by the caller (on another
    /// thread, for example).
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        precondition(count < Int(UInt32.max) - 1, "an id index holds at most \(UInt32.max - 2) rows")
        if (count + 1) * 2 > slots.count {
            grow()
        }
        let tag = hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 {
                break
            }
            if entry >> 32 == tag {
                let row = Int(entry & 0xFFFF_FFFF) - 1
                let start = Int(offsets[row])
                let end = Int(offsets[row + 1])
                let same = bytes.withUnsafeBufferPointer { IDIndex.equal(UnsafeBufferPointer(rebasing: $0[start..<end]), key) }
                if same {
                    return row
                }
            }
            slot = (slot + 1) & mask
        }
        slots[slot] = tag << 32 | UInt64(count + 1)
        bytes.append(contentsOf: key)
        offsets.append(UInt64(bytes.count))
        return nil
    }
}
