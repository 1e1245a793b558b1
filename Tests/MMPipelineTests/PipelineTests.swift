import Testing

@testable import MMPipeline

@Suite struct PipelineTests {}
