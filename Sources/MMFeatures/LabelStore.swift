import Foundation
import MMCore

/// A user's training target.
public struct UserLabel: Sendable, Equatable {
    /// The genre's class index in genres.csv.
    public let genreIndex: Int
    public let genre: String
    /// Engagement in [0, 1].
    public let engagement: Float
}

/// Training targets (`labels.csv`: `user_id,genre,engagement`), keyed by user.
///
/// A row whose genre is not in genres.csv is skipped as `.unknownLabel`, one whose
/// engagement is outside [0, 1] as `.outOfBounds`; other columns are ignored.
public final class LabelStore: Sendable {
    /// The underlying table: ids are users, the label is the genre name, the one column
    /// is `engagement`.
    public let table: FeatureStore
    public let genres: [Genre]
    private let genreIndices: [String: Int]

    public var url: URL { table.url }
    public var count: Int { table.count }
    public var quality: StoreQuality { table.quality }

    init(table: FeatureStore, genres: [Genre]) {
        self.table = table
        self.genres = genres
        var indices: [String: Int] = [:]
        for genre in genres {
            indices[genre.name] = genre.id
        }
        genreIndices = indices
    }

    public static func open(_ url: URL, genres: [Genre], options: FeatureReadOptions = FeatureReadOptions()) throws -> LabelStore {
        var options = options
        options.idColumn = "user_id"
        options.labelColumn = "genre"
        options.featureColumns = ["engagement"]
        options.allowedLabels = Set(genres.map(\.name))
        options.valueBounds = ["engagement": 0...1]
        return LabelStore(table: try FeatureStore.open(url, options: options), genres: genres)
    }

    public func userID(at row: Int) -> String {
        table.id(at: row)
    }

    public func label(at row: Int) -> UserLabel {
        let genre = table.label(at: row) ?? ""
        // Rows with a genre outside genres.csv were skipped while parsing.
        let index = genreIndices[genre] ?? 0
        return UserLabel(genreIndex: index, genre: genre, engagement: table.vector(at: row)[0])
    }

    public func label(for userID: String) -> UserLabel? {
        table.row(of: userID).map { label(at: $0) }
    }
}
