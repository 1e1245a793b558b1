/// Where one `Linear(inputs, outputs)` layer lives in the flat parameter vector:
/// `weight` [outputs × inputs] row-major and `bias` [outputs].
struct LinearSlot: Sendable, Equatable {
    let name: String
    let inputs: Int
    let outputs: Int
    let weightOffset: Int
    let biasOffset: Int

    var parameterCount: Int { outputs * inputs + outputs }
}

/// The query, key and value projections of one attention block, each Linear(H, H).
struct AttentionSlots: Sendable, Equatable {
    let query: LinearSlot
    let key: LinearSlot
    let value: LinearSlot
}

/// The layers of one track modality: its input layer and, in the attention variant,
/// its attention projections. `fusionColumn` is where its H outputs start in the
/// fusion input [t, i, a].
struct BranchSlots: Sendable, Equatable {
    let modality: Modality
    let inputs: Int
    let inputLayer: LinearSlot
    let attention: AttentionSlots?
    let fusionColumn: Int
}

/// One tensor of the parameter vector, as the weight file names and shapes it.
public struct ParameterTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
}

/// The layout of every parameter of a model in one flat `[Float]` vector.
///
/// Tensors lie in the order of their sorted `state_dict` names, the order the weight file
/// uses, so saving is a straight copy. Gradients and Adam moments use the same layout,
/// which makes the optimiser one loop over the whole vector.
public struct ParameterLayout: Sendable, Equatable {
    public let variant: ModelVariant
    public let dimensions: ModelDimensions
    /// Every tensor, sorted by name.
    public let tensors: [ParameterTensor]
    public let parameterCount: Int

    let textLayer: LinearSlot
    /// The track modalities in fusion order (image before audio).
    let branches: [BranchSlots]
    let fusionLayer: LinearSlot
    let classifier: LinearSlot
    let regressor: LinearSlot
    /// Every layer in forward order, for initialisation and folding.
    let layers: [LinearSlot]

    public init(variant: ModelVariant, dimensions: ModelDimensions) {
        self.variant = variant
        self.dimensions = dimensions
        let hidden = dimensions.hidden

        // The layer list in forward order; offsets are assigned afterwards in name order.
        var shapes: [(name: String, inputs: Int, outputs: Int)] = [("text_fc", dimensions.text, hidden)]
        for modality in Modality.allCases where dimensions.inputs(of: modality) > 0 {
            shapes.append(("\(modality.rawValue)_fc", dimensions.inputs(of: modality), hidden))
            if variant == .attention {
                for projection in ["query", "key", "value"] {
                    shapes.append(("\(modality.rawValue)_attn.\(projection)", hidden, hidden))
                }
            }
        }
        shapes.append(("fusion_fc", dimensions.fusionInputs, hidden))
        shapes.append(("classifier", hidden, dimensions.genres))
        shapes.append(("regressor", hidden, 1))

        var tensorShapes: [(name: String, shape: [Int])] = []
        for layer in shapes {
            tensorShapes.append((layer.name + ".weight", [layer.outputs, layer.inputs]))
            tensorShapes.append((layer.name + ".bias", [layer.outputs]))
        }
        tensorShapes.sort { $0.name < $1.name }
        var offset = 0
        var tensors: [ParameterTensor] = []
        var offsets: [String: Int] = [:]
        for entry in tensorShapes {
            let tensor = ParameterTensor(name: entry.name, shape: entry.shape, offset: offset)
            tensors.append(tensor)
            offsets[entry.name] = offset
            offset += tensor.count
        }
        self.tensors = tensors
        self.parameterCount = offset

        let layers = shapes.map { layer in
            LinearSlot(
                name: layer.name, inputs: layer.inputs, outputs: layer.outputs,
                weightOffset: offsets[layer.name + ".weight"]!, biasOffset: offsets[layer.name + ".bias"]!)
        }
        let byName = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0) })
        self.layers = layers
        textLayer = byName["text_fc"]!
        fusionLayer = byName["fusion_fc"]!
        classifier = byName["classifier"]!
        regressor = byName["regressor"]!

        var branches: [BranchSlots] = []
        for modality in Modality.allCases where dimensions.inputs(of: modality) > 0 {
            let prefix = modality.rawValue
            let attention = variant == .attention
                ? AttentionSlots(
                    query: byName[prefix + "_attn.query"]!, key: byName[prefix + "_attn.key"]!,
                    value: byName[prefix + "_attn.value"]!)
                : nil
            branches.append(
                BranchSlots(
                    modality: modality, inputs: dimensions.inputs(of: modality),
                    inputLayer: byName[prefix + "_fc"]!, attention: attention,
                    fusionColumn: (branches.count + 1) * hidden))
        }
        self.branches = branches
    }

    /// The tensor with the given `state_dict` name, if the layout has one.
    public func tensor(named name: String) -> ParameterTensor? {
        tensors.first { $0.name == name }
    }
}
