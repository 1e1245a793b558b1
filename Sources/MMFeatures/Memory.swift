import Foundation
import MMCore

/// A whole file mapped read-only with `mmap(2)`, with the `fstat` taken on the same
/// descriptor so the identity (size, mtime, inode) matches the bytes mapped.
///
/// `Data(contentsOf:options: .mappedIfSafe)` is not used because on Linux it reads the
/// whole file into memory.
/// NOTE: a file truncated by another process while mapped makes reads past its new end
/// raise SIGBUS. Writers of catalogue files replace them by rename, which is safe.
final class MappedFile: @unchecked Sendable {
    // Immutable after init; the mapping is read-only and released in deinit.
    let path: String
    let base: UnsafeRawPointer?
    let size: Int
    let status: stat
    /// Kept open for `readBlocks`, closed in deinit.
    private let descriptor: Int32

    init(path: String) throws(FeatureError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FeatureError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FeatureError.unreadable(path: path, reason: reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw FeatureError.notRegularFile(path: path)
        }
        self.descriptor = descriptor
        status = info
        size = Int(info.st_size)
        guard size > 0 else {
            base = nil
            return
        }
        let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapping, mapping != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FeatureError.unreadable(path: path, reason: reason)
        }
        base = UnsafeRawPointer(mapping)
    }

    deinit {
        if let base {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
        }
        close(descriptor)
    }

    /// Passes the bytes of `range` to `body` in blocks copied with `pread`, which reads
    /// the page cache without mapping pages into this process. Falls back to the mapping
    /// when a read fails.
    func readBlocks(_ range: Range<Int>, blockBytes: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) -> Void) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockBytes, alignment: 64)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let wanted = min(blockBytes, range.upperBound - offset)
            let got = pread(descriptor, buffer, wanted, off_t(offset))
            if got < 0 && errno == EINTR {
                continue
            }
            guard got > 0 else {
                body(UnsafeRawBufferPointer(rebasing: bytes[offset..<range.upperBound]))
                return
            }
            body(UnsafeRawBufferPointer(start: buffer, count: got))
            offset += got
        }
    }

    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Drops the whole pages inside `range` from this mapping. They stay in the page
    /// cache, and reading them again maps them again.
    func release(_ range: Range<Int>) {
        guard let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        if end > start {
            madvise(UnsafeMutableRawPointer(mutating: base + start), end - start, MADV_DONTNEED)
        }
    }

    /// Tells the kernel the mapping will be read front to back (more read-ahead).
    func adviseSequential() {
        if let base {
            madvise(UnsafeMutableRawPointer(mutating: base), size, MADV_SEQUENTIAL)
        }
    }
}

/// Anonymous private memory from `mmap`, zero-filled and committed page by page as it is
/// written, so a generous reservation costs only address space.
final class MemoryRegion: @unchecked Sendable {
    // The owner writes during a build, before the region is shared; readers only read.
    let base: UnsafeMutableRawPointer
    private(set) var byteCount: Int
    private let mappedCount: Int

    init(byteCount: Int) {
        let mapped = max(byteCount, 1)
        let mapping = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let mapping, mapping != MAP_FAILED else {
            let reason = String(cString: strerror(errno))
            preconditionFailure("anonymous mmap of \(mapped) bytes failed: \(reason)")
        }
        base = mapping
        self.byteCount = byteCount
        mappedCount = mapped
        if mapped >= 4 << 20 {
            // 2 MiB pages: far fewer page faults while a large table is written.
            madvise(mapping, mapped, MADV_HUGEPAGE)
        }
    }

    deinit {
        munmap(base, mappedCount)
    }

    /// Returns the pages of `range` to the system; they read as zeros afterwards.
    func discard(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        if end > start {
            madvise(base + start, end - start, MADV_DONTNEED)
        }
    }

    /// Keeps the first `count` bytes and discards the pages after them.
    func shrink(to count: Int) {
        discard(count..<mappedCount)
        byteCount = count
    }
}

/// A heap allocation owned by one object, for tables built in memory that readers use
/// through raw pointers (ids, offsets, the hash index).
final class OwnedBuffer: @unchecked Sendable {
    // Written only while the store is built, then read-only.
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        base = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        self.byteCount = byteCount
    }

    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(byteCount: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            base.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    static func copying<Element>(_ array: [Element]) -> OwnedBuffer {
        array.withUnsafeBytes { OwnedBuffer(copying: $0) }
    }

    deinit {
        base.deallocate()
    }

    var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: byteCount)
    }
}
