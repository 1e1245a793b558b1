import MMCore

/// The role of each header column of a feature table: the id, a feature (with its index
/// in the vector), the label, or ignored.
struct ColumnLayout: Sendable {
    static let idRole: Int32 = -1
    static let ignoredRole: Int32 = -2
    static let labelRole: Int32 = -3

    let header: [String]
    /// Per header column: a feature index (0 or more) or one of the negative roles.
    let roles: [Int32]
    let featureColumns: [String]
    let idColumn: String?
    let labelColumn: String?
    /// Bounds by feature index, from `FeatureReadOptions.valueBounds`.
    let bounds: [Int: ClosedRange<Float>]
    /// Ignored names the header does not have.
    let unknownIgnoredColumns: [String]

    /// Assigns roles from the options. Throws when a column name repeats, when the id or
    /// label column is missing, or when no feature column is left.
    init(header: [String], options: FeatureReadOptions, path: String) throws(FeatureError) {
        var positions: [String: Int] = [:]
        for (position, name) in header.enumerated() {
            if let first = positions[name] {
                throw FeatureError.duplicateColumn(path: path, column: name, first: first + 1, second: position + 1)
            }
            positions[name] = position
        }
        if let idColumn = options.idColumn, positions[idColumn] == nil {
            throw FeatureError.missingIDColumn(path: path, column: idColumn, columns: header)
        }
        if let labelColumn = options.labelColumn, positions[labelColumn] == nil {
            throw FeatureError.missingLabelColumn(path: path, column: labelColumn, columns: header)
        }

        let ignored = Set(options.ignoredColumns)
        var roles: [Int32] = []
        var features: [String] = []
        if let selected = options.featureColumns {
            precondition(Set(selected).count == selected.count, "featureColumns needs distinct names, got \(selected)")
            let missing = selected.filter { positions[$0] == nil }
            guard missing.isEmpty else {
                throw FeatureError.missingColumns(path: path, missing: missing, available: header)
            }
            var order: [String: Int32] = [:]
            for (index, name) in selected.enumerated() {
                order[name] = Int32(index)
            }
            features = selected
            roles = header.map { name in
                if name == options.idColumn { return Self.idRole }
                if name == options.labelColumn { return Self.labelRole }
                return order[name] ?? Self.ignoredRole
            }
        } else {
            for name in header {
                if name == options.idColumn {
                    roles.append(Self.idRole)
                } else if name == options.labelColumn {
                    roles.append(Self.labelRole)
                } else if ignored.contains(name) {
                    roles.append(Self.ignoredRole)
                } else {
                    roles.append(Int32(features.count))
                    features.append(name)
                }
            }
        }
        guard !features.isEmpty else {
            throw FeatureError.noFeatureColumns(path: path, columns: header)
        }

        var bounds: [Int: ClosedRange<Float>] = [:]
        for (name, range) in options.valueBounds {
            if let index = features.firstIndex(of: name) {
                bounds[index] = range
            }
        }
        self.header = header
        self.roles = roles
        featureColumns = features
        idColumn = options.idColumn
        labelColumn = options.labelColumn
        self.bounds = bounds
        unknownIgnoredColumns = options.ignoredColumns.filter { positions[$0] == nil }
    }
}
