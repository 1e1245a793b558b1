/// Default locations, relative to the working directory, so `mmbatch demo` and
/// `mmbatch run` work from the repository root with no options.
public enum Defaults {
    /// The sample catalogue that `mmbatch demo` generates.
    public static let dataDirectory = "data/sample"
    public static let database = "mmbatch.db"
    public static let reportsDirectory = "reports"
    /// The model `mmbatch demo` trains and `mmbatch run` uses.
    public static let model = "data/sample/model.safetensors"
    /// The genre list the sample catalogue copies.
    public static let genresFile = "data/genres.csv"
    /// Genres per user in recommendations.csv and `mmbatch export`.
    public static let topK = 3
    /// Users per inference batch. Batches are fixed-size slices of the claim order, so a
    /// user's scores do not depend on the worker count.
    public static let batchSize = 256
    /// Tracks per user: the N most-played.
    public static let maxTracks = 32
}
