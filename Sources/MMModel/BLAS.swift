import COpenBLAS

/// OpenBLAS's process-wide settings.
///
/// OpenBLAS keeps its own thread pool, and its thread count is shared by every thread of
/// the process. mmbatch parallelises over batches with its own worker pool, so it sets
/// OpenBLAS to one thread while a pool runs; otherwise workers × BLAS threads would
/// oversubscribe the cores. One thread also makes each row's result independent of the
/// machine's core count, because some OpenBLAS kernels split sums differently per thread
/// count (seen with libopenblas 0.3.21).
public enum BLAS {
    /// Sets the thread count OpenBLAS uses for every later call in this process.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be at least 1, got \(count)")
        openblas_set_num_threads(Int32(count))
    }

    public static var threadCount: Int {
        Int(openblas_get_num_threads())
    }

    /// OpenBLAS's build configuration, such as `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text)
    }

    /// The CPU kernel OpenBLAS chose at load time, such as `Haswell` or `SkylakeX`.
    public static var coreName: String {
        guard let text = openblas_get_corename() else { return "unknown" }
        return String(cString: text)
    }
}
