import Foundation
import HomeReadyModel

/// libFuzzer entry point: any bytes given to the server's report decoder must decode or throw, and a decoded
/// report must encode and decode again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: count))
    guard let report = try? ReportCoding.decoder().decode(CheckReport.self, from: bytes) else { return 0 }
    do {
        let again = try ReportCoding.encoder().encode(report)
        _ = try ReportCoding.decoder().decode(CheckReport.self, from: again)
    } catch {
        fatalError("a decoded report did not round-trip: \(error)")
    }
    return 0
}
