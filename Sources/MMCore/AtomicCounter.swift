import Synchronization

/// A thread-safe increasing counter.
public final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    /// Returns the next value, starting at 1.
    public func next() -> Int {
        value.add(1, ordering: .relaxed).newValue
    }
}
