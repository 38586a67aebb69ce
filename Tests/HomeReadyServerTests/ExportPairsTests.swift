import Testing

@testable import HomeReadyServer

/// The readiness export joins an agent's items and check states into one text per agent (`SQLRepository.pairs`);
/// `splitPairs` must give back exactly what was joined.
@Suite("Export: pairs joined by the database, split by byte")
struct ExportPairsTests {
    @Test("pairs in order, empty values, accented text and a lone key")
    func splitsPairs() {
        let text = "network.jitter\u{1E}fail\u{1F}posture.firewall\u{1E}pass\u{1F}diadema\u{1E}entregada ñ\u{1F}lone\u{1F}empty\u{1E}"
        let pairs = SQLRepository.splitPairs(text)
        #expect(pairs.map(\.key) == ["network.jitter", "posture.firewall", "diadema", "lone", "empty"])
        #expect(pairs.map(\.value) == ["fail", "pass", "entregada ñ", "", ""])
        #expect(SQLRepository.splitPairs("").isEmpty)
        #expect(SQLRepository.splitPairs("\u{1F}\u{1F}").isEmpty)
    }
}
