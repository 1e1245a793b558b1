// swift-tools-version: 6.0
import PackageDescription

// Library modules per concern. The pipeline composes the queue, the feature stores, the
// model and the reports, which never import each other; each C library is used only by
// the module that owns it.
let package = Package(
    name: "mmbatch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mmbatch", targets: ["mmbatch"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),

        .target(
            name: "MMCore",
            resources: [
                .embedInCode("Messages/core.json"),
                .embedInCode("Messages/features.json"),
                .embedInCode("Messages/model.json"),
                .embedInCode("Messages/queue.json"),
                .embedInCode("Messages/reports.json"),
                .embedInCode("Messages/pipeline.json"),
                .embedInCode("Messages/cli.json"),
            ]
        ),
        .target(name: "MMFeatures", dependencies: ["MMCore", "CCSV"]),
        .target(name: "MMModel", dependencies: ["MMCore", "COpenBLAS"]),
        .target(name: "MMQueue", dependencies: ["MMCore", "CSQLite"]),
        .target(name: "MMReports", dependencies: ["MMCore"]),
        .target(
            name: "MMPipeline",
            dependencies: ["MMCore", "MMFeatures", "MMModel", "MMQueue", "MMReports"]
        ),
        .executableTarget(name: "mmbatch", dependencies: ["MMPipeline", "MMCore"]),

        .target(name: "MMTestSupport", dependencies: ["MMCore"], path: "Tests/MMTestSupport"),
        .target(
            name: "MMPipelineTestSupport", dependencies: ["MMPipeline", "MMTestSupport"],
            path: "Tests/MMPipelineTestSupport"),
        .testTarget(name: "MMCoreTests", dependencies: ["MMCore", "MMTestSupport"]),
        .testTarget(name: "MMFeaturesTests", dependencies: ["MMFeatures", "MMTestSupport"]),
        .testTarget(name: "MMModelTests", dependencies: ["MMModel", "MMTestSupport"]),
        .testTarget(name: "MMQueueTests", dependencies: ["MMQueue", "MMTestSupport"]),
        .testTarget(name: "MMReportsTests", dependencies: ["MMReports", "MMTestSupport"]),
        .testTarget(name: "MMPipelineTests", dependencies: ["MMPipeline", "MMTestSupport", "MMPipelineTestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["mmbatch", "MMTestSupport", "MMPipelineTestSupport", "MMQueue", "MMModel"]
        ),
    ]
)
