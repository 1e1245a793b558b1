import Foundation

/// The result of running a child process to completion.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True when the process ended by a signal; `status` is then the signal number.
    public let signaled: Bool
}

/// Runs the built `mmbatch` executable, as the end-to-end tests need real processes.
public enum BuiltBinary {
    /// The `mmbatch` executable in the same build folder as the running test bundle.
    public static var url: URL {
        if let override = ProcessInfo.processInfo.environment["MMBATCH_BINARY"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test bundle runs from `.build/<config>/mmbatchPackageTests.xctest`, possibly
        // nested one level deeper; walk up until the executable is found.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("mmbatch")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        return SharedData.repositoryRoot.appendingPathComponent(".build/debug/mmbatch")
    }

    /// Starts `mmbatch` with `arguments`, draining its output while it runs.
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        stdin: Data? = nil
    ) throws -> RunningProcess {
        try RunningProcess(
            executable: url, arguments: arguments, environment: environment,
            currentDirectory: currentDirectory, stdin: stdin)
    }

    /// Runs `mmbatch` with `arguments` to completion.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
        stdin: Data? = nil, timeout: Double = 600
    ) throws -> ProcessOutput {
        let process = try start(arguments, environment: environment, currentDirectory: currentDirectory, stdin: stdin)
        return process.wait(timeout: timeout)
    }
}

/// A child process whose stdout and stderr are collected on background threads, so the
/// child never blocks on a full pipe.
public final class RunningProcess: @unchecked Sendable {
    // `lock` protects stdoutData and stderrData, which the reader threads append to.
    private let process = Process()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private let readers = DispatchGroup()

    public var pid: Int32 { process.processIdentifier }

    init(executable: URL, arguments: [String], environment: [String: String], currentDirectory: URL?, stdin: Data?) throws {
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["MMBATCH_LOCALE"] = "en"
        for (key, value) in environment {
            merged[key] = value
        }
        process.environment = merged
        if let currentDirectory {
            process.currentDirectoryURL = currentDirectory
        }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        let inPipe = Pipe()
        process.standardInput = inPipe

        try process.run()

        drain(outPipe.fileHandleForReading) { self.stdoutData.append($0) }
        drain(errPipe.fileHandleForReading) { self.stderrData.append($0) }
        if let stdin {
            inPipe.fileHandleForWriting.write(stdin)
        }
        try? inPipe.fileHandleForWriting.close()
    }

    private func drain(_ handle: FileHandle, into append: @escaping @Sendable (Data) -> Void) {
        readers.enter()
        Thread.detachNewThread { [lock, readers] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                append(chunk)
                lock.unlock()
            }
            readers.leave()
        }
    }

    /// The stderr collected so far.
    public var currentStderr: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stderrData, as: UTF8.self)
    }

    /// The stdout collected so far.
    public var currentStdout: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: stdoutData, as: UTF8.self)
    }

    public var isRunning: Bool { process.isRunning }

    /// Sends SIGKILL.
    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the child to exit; kills it with SIGKILL after `timeout` seconds.
    public func wait(timeout: Double = 600) -> ProcessOutput {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill()
        }
        process.waitUntilExit()
        _ = readers.wait(timeout: .now() + 10)
        lock.lock()
        defer { lock.unlock() }
        return ProcessOutput(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self),
            signaled: process.terminationReason == .uncaughtSignal)
    }
}
