import Foundation

/// libFuzzer entry point: any text through the CSV parser and the roster and shipment importers must give
/// records or row errors, and every parsed record must survive `CSV.line` and a second parse unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    let (records, error) = CSV.parse(text)
    _ = RosterImport.rows(from: text)
    _ = ShipmentImport.rows(from: text)
    if error == nil {
        for record in records where record.fields != [""] {
            let line = CSV.line(record.fields)
            let (again, secondError) = CSV.parse(line)
            guard secondError == nil, again.count == 1, again[0].fields == record.fields else {
                fatalError("CSV.line did not round-trip \(record.fields) -> \(line.debugDescription) -> \(again)")
            }
        }
    }
    return 0
}
