import Foundation
import HomeReadyModel

/// libFuzzer entry point: any bytes given to the report decoder and to the server's envelope reader must read or
/// throw; a decoded report must encode and decode again, and its envelope must be what the reader reads.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: count))
    let envelope = try? ReportEnvelope.read(json: Array(bytes))
    guard let report = try? ReportCoding.decoder().decode(CheckReport.self, from: bytes) else { return 0 }
    guard envelope == ReportEnvelope(report) else {
        fatalError("the envelope reader disagrees with the decoder: \(String(describing: envelope))")
    }
    do {
        let again = try ReportCoding.encoder().encode(report)
        _ = try ReportCoding.decoder().decode(CheckReport.self, from: again)
    } catch {
        fatalError("a decoded report did not round-trip: \(error)")
    }
    return 0
}
