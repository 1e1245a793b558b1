import Foundation
import Testing

/// Locates the repository and the reference data folder `shared/` that sits beside it
/// (parity tensors, public datasets, benchmark scripts).
///
/// Tests that need it call `SharedData.require()`: when the folder is absent they are
/// skipped with a message, unless `MMBATCH_REQUIRE_SHARED=1` is set (as CI does), in
/// which case they fail.
public enum SharedData {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The reference data folder beside the repository, or nil when it is absent.
    /// `MMBATCH_SHARED_DIR` overrides the location.
    public static var directory: URL? {
        if let override = ProcessInfo.processInfo.environment["MMBATCH_SHARED_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let candidate = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return candidate
        }
        return nil
    }

    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["MMBATCH_REQUIRE_SHARED"] == "1"
    }

    /// Returns the file at `relativePath` inside the reference data folder.
    ///
    /// Skips the calling test when the folder or file is missing, or fails it when
    /// `MMBATCH_REQUIRE_SHARED=1`.
    public static func require(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        guard let directory else {
            try missing("the reference data folder 'shared' beside the repository is absent", sourceLocation)
        }
        let file = directory.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: file.path) else {
            try missing("\(relativePath) is absent from the reference data folder", sourceLocation)
        }
        return file
    }

    private static func missing(_ reason: String, _ sourceLocation: SourceLocation) throws -> Never {
        if isRequired {
            Issue.record("\(reason), and MMBATCH_REQUIRE_SHARED=1 requires it", sourceLocation: sourceLocation)
            throw SharedDataMissing(reason: reason)
        }
        try Test.cancel("skipped: \(reason)", sourceLocation: sourceLocation)
    }
}

struct SharedDataMissing: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
