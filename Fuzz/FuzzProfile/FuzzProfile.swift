import Foundation
import HomeReadyProfiles

/// libFuzzer entry point: any bytes as profile YAML must give a profile or a located `ProfileError`, never a
/// crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProfile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let loader = ProfileLoader(searchPath: ProfileSearchPath(directories: [], includeBuiltin: true))
    _ = try? loader.load(yaml: text, name: "fuzz.yaml")
    return 0
}
