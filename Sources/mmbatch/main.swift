import MMCore
import MMPipeline

print("mmbatch \(SystemInfo.version)")
