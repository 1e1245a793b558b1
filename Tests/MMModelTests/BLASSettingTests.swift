import Testing

/// Tests that change OpenBLAS's process-wide thread count, or compare results bit for
/// bit and so need it to stay put while they run. Nested suites run one test at a time,
/// and no test outside this suite changes the setting.
@Suite(.serialized) struct BLASSettingTests {}
