import Foundation
import MMCore

// The mmbatch executable: parses the command line and calls the library. All behaviour
// lives in MMPipeline and the modules it composes, so it is testable without a process.
let status = CommandLineInterface.main(Array(CommandLine.arguments.dropFirst()))
exit(status.rawValue)
