import Foundation

/// An output file that could not be written: full or read-only disk, missing permission.
public struct OutputError: MMError {
    public let path: String
    public let reason: String
    /// The `errno` of the failure, when the operating system gave one.
    public let code: Int32?
    public var exitCode: ExitCode { .outputFailed }

    public var message: Message {
        let key: String
        switch code {
        case ENOENT, ENOTDIR: key = "core.output.noFolder"
        case ENOSPC, EDQUOT: key = "core.output.full"
        case EROFS, EACCES, EPERM: key = "core.output.readOnly"
        default: key = "core.output.failed"
        }
        return Message(key, ["path": path, "reason": reason])
    }

    public init(path: String, errno code: Int32) {
        self.path = path
        self.reason = String(cString: strerror(code))
        self.code = code
    }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
        self.code = nil
    }
}

/// Writes a file so that readers see either the old file or the complete new one.
///
/// Bytes go to a temporary file in the same folder (`.NAME.tmp-PID-N`), which is fsynced
/// and renamed over the target. Then the folder is fsynced, so the rename survives a
/// power loss. `Data.write(options: .atomic)` is not used because on Linux it skips the folder
/// fsync and can fall back to a non-atomic write. A writer that is dropped without
/// `commit()` removes its temporary file, and `removeLeftovers(in:)` cleans those of
/// a killed process.
public final class AtomicFileWriter {
    public let url: URL
    private let temporaryPath: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private static let bufferLimit = 1 << 20
    private static let counter = AtomicCounter()

    /// Prefix of temporary files, so leftovers can be recognised.
    public static let temporaryMarker = ".tmp-"

    public init(url: URL, permissions: mode_t = 0o644) throws(OutputError) {
        self.url = url
        let folder = url.deletingLastPathComponent().path
        let name = "." + url.lastPathComponent + Self.temporaryMarker
            + "\(getpid())-\(Self.counter.next())"
        temporaryPath = (folder as NSString).appendingPathComponent(name)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw OutputError(path: url.path, errno: errno)
        }
        buffer.reserveCapacity(Self.bufferLimit)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
        }
        if !committed {
            unlink(temporaryPath)
        }
    }

    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferLimit {
            try flushBuffer()
        }
    }

    public func write<Bytes: Collection>(bytes: Bytes) throws(OutputError) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferLimit {
            try flushBuffer()
        }
    }

    /// Flushes, fsyncs and renames the file into place, then fsyncs the folder.
    public func commit() throws(OutputError) {
        try flushBuffer()
        if fsync(descriptor) != 0 {
            throw OutputError(path: url.path, errno: errno)
        }
        let closeResult = close(descriptor)
        descriptor = -1
        if closeResult != 0 {
            throw OutputError(path: url.path, errno: errno)
        }
        if rename(temporaryPath, url.path) != 0 {
            throw OutputError(path: url.path, errno: errno)
        }
        committed = true
        AtomicFile.syncDirectory(url.deletingLastPathComponent())
    }

    private func flushBuffer() throws(OutputError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: url.path, errno: errno)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

public enum AtomicFile {
    /// Writes `text` to `url` atomically.
    public static func write(_ text: String, to url: URL) throws(OutputError) {
        let writer = try AtomicFileWriter(url: url)
        try writer.write(text)
        try writer.commit()
    }

    /// Writes `bytes` to `url` atomically.
    public static func write(bytes: [UInt8], to url: URL) throws(OutputError) {
        let writer = try AtomicFileWriter(url: url)
        try writer.write(bytes: bytes)
        try writer.commit()
    }

    /// Creates a folder and its parents, reporting failure as an output error with the
    /// operating system's own text (`Read-only file system`, `No space left on device`).
    public static func createDirectory(_ url: URL) throws(OutputError) {
        var path = ""
        for component in url.standardizedFileURL.path.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o755) != 0 {
                let code = errno
                var isDirectory: ObjCBool = false
                if code == EEXIST && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                    && isDirectory.boolValue
                {
                    continue
                }
                throw OutputError(path: url.path, errno: code == EEXIST ? ENOTDIR : code)
            }
        }
    }

    /// Removes temporary files that a killed process left in `directory` and returns
    /// how many were removed. Only names this writer creates (`.NAME.tmp-PID-N`) whose
    /// process is gone are touched, so a live writer in another process is left alone.
    @discardableResult
    public static func removeLeftovers(in directory: URL) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: AtomicFileWriter.temporaryMarker, options: .backwards)
            else { continue }
            let pidText = name[marker.upperBound...].split(separator: "-").first ?? ""
            guard let pid = Int32(pidText), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM {
                continue
            }
            if unlink(directory.appendingPathComponent(name).path) == 0 {
                removed += 1
            }
        }
        return removed
    }

    static func syncDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
