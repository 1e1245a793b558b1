import Foundation

/// Values that concurrent workers store, each at its own index, for the caller to read
/// in index order once every worker is done.
final class IndexedResults<Value: Sendable>: @unchecked Sendable {
    // `lock` protects `slots`.
    private let lock = NSLock()
    private var slots: [Value?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func store(_ value: Value, at index: Int) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    /// Returns the stored values in index order, with `placeholder` for an index that no
    /// worker stored.
    func values(placeholder: Value) -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? placeholder }
    }

    /// Returns the stored values in index order; every index must have been stored.
    func collect() -> [Value] {
        lock.lock()
        defer { lock.unlock() }
        return slots.enumerated().map { index, value in
            guard let value else { preconditionFailure("no result was stored at index \(index)") }
            return value
        }
    }
}
