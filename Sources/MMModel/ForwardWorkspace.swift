/// Scratch memory for forward (and, in training, backward) passes.
///
/// One workspace serves one thread at a time: give every worker its own. Buffers grow to
/// the largest batch seen and are then reused, so steady-state inference does not
/// allocate. After a forward pass the workspace contains every activation of that batch,
/// which the backward pass of training reads.
public final class ForwardWorkspace {
    /// [t, i, a] per user, B × k·H: each modality's layer writes its own column block.
    let fusionInput = FloatBuffer()
    /// f, B × H.
    let fused = FloatBuffer()
    /// B × G.
    let logits = FloatBuffer()
    /// B × G.
    let probabilities = FloatBuffer()
    /// B.
    let engagement = FloatBuffer()
    /// The standardised history rows, B × T; used only when training standardises inputs.
    let textInput = FloatBuffer()
    /// The fusion input and f after dropout, B × k·H and B × H; training only.
    let droppedFusionInput = FloatBuffer()
    let droppedFused = FloatBuffer()
    /// Per track modality, in the order `Modality.allCases`.
    let branches = [BranchWorkspace(), BranchWorkspace()]

    public init() {}

    func branch(_ modality: Modality) -> BranchWorkspace {
        switch modality {
        case .image: branches[0]
        case .audio: branches[1]
        }
    }
}

/// Scratch memory of one track modality.
final class BranchWorkspace {
    /// The input of the modality's first layer: the pooled rows B × I (concat), or the
    /// standardised track rows D × I (attention, training only).
    let layerInput = FloatBuffer()
    /// Per entry: the play weight (concat) or the attention weight α (attention).
    let entryWeights = FloatBuffer()
    /// Track tokens relu(image_fc(cover)), D × H (attention).
    let tokens = FloatBuffer()
    /// K = key(tokens), D × H (attention).
    let keys = FloatBuffer()
    /// V = value(tokens), D × H (attention).
    let values = FloatBuffer()
    /// q = query(t), B × H (attention).
    let queries = FloatBuffer()
}
