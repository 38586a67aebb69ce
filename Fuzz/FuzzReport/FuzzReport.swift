import Foundation
import HomeReadyModel

/// libFuzzer entry point: any bytes given to the report decoder, the server's compact decoder and the server's
/// envelope reader must read or throw; a decoded report must encode and decode again; where two of them read the
/// bytes they must agree, and whatever the compact decoder reads `JSONDecoder` must read too; and the envelope
/// reader must read every report the encoder writes exactly as the decoder does. (The reader, and the compact
/// decoder built on it, are stricter than `JSONDecoder` about text the decoder never looks at, such as a number
/// `05` in an unread field, so only inputs both accept are compared directly.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: count))
    let envelope = try? ReportEnvelope.read(json: Array(bytes))
    let compact = try? CompactJSONDecoder(decodeDate: ReportCoding.decodeDate).decode(CheckReport.self, from: Array(bytes))
    let decoded = try? ReportCoding.decoder().decode(CheckReport.self, from: bytes)
    if let compact, compact != decoded {
        fatalError("the compact decoder read what JSONDecoder read otherwise, or not at all: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    }
    guard let report = decoded else { return 0 }
    if let envelope, envelope != ReportEnvelope(report) {
        fatalError("the envelope reader and the decoder read different fields from \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    }
    do {
        let again = try ReportCoding.encoder().encode(report)
        let decoded = try ReportCoding.decoder().decode(CheckReport.self, from: again)
        let read = try ReportEnvelope.read(json: Array(again))
        guard read == ReportEnvelope(decoded) else {
            fatalError("the envelope reader misread an encoded report: \(String(decoding: again, as: UTF8.self).debugDescription)")
        }
    } catch {
        fatalError("a decoded report did not round-trip (or its encoding did not read): \(error)")
    }
    return 0
}
