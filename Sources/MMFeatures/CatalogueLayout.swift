/// File names of a catalogue folder.
public enum CatalogueFile: String, Sendable, CaseIterable {
    case history = "history.csv"
    case covers = "covers.csv"
    case clips = "clips.csv"
    case listens = "listens.csv"
    case genres = "genres.csv"
    case labels = "labels.csv"
}
