import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is
/// released, so every test owns its files.
public final class TemporaryDirectory: @unchecked Sendable {
    // Immutable after init; @unchecked only because URL is not Sendable on every platform.
    public let url: URL

    public init(_ label: String = "test") {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
        let name = "mmbatch-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        url = base.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    public func path(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }

    /// Writes `text` to `name` inside the folder and returns its URL.
    @discardableResult
    public func write(_ name: String, _ text: String) -> URL {
        write(name, bytes: Array(text.utf8))
    }

    /// Writes raw bytes to `name` inside the folder and returns its URL.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> URL {
        let file = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(bytes).write(to: file)
        return file
    }
}
