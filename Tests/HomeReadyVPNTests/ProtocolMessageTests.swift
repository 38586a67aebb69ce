import Foundation
import HomeReadyModel
import Testing

@testable import HomeReadyVPN

@Suite("Probe messages: IKEv2, OpenVPN, STUN")
struct ProtocolMessageTests {
    @Test("IKE_SA_INIT request is well formed: header, total length, SA/KE/Nonce chain")
    func ikeRequestLayout() {
        let spi: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let request = IKEv2Message.saInitRequest(spi: spi)
        #expect(Array(request.prefix(8)) == spi)
        #expect(request[16] == 33)  // SA first
        #expect(request[17] == 0x20)
        #expect(request[18] == 34)
        #expect(request[19] == 0x08)
        #expect(request.u32(at: 24).map(Int.init) == request.count)
        // Walk the payload chain: SA -> KE -> Nonce -> end, lengths add up.
        var next = Int(request[16])
        var offset = 28
        var seen: [Int] = []
        while next != 0 {
            seen.append(next)
            next = Int(request[offset])
            offset += request.u16(at: offset + 2)!
        }
        #expect(seen == [33, 34, 40])
        #expect(offset == request.count)
        let natT = IKEv2Message.saInitRequest(spi: spi, nonESP: true)
        #expect(Array(natT.prefix(4)) == [0, 0, 0, 0])
    }

    @Test("an IKE response with NO_PROPOSAL_CHOSEN is recognised; another SPI or a request is not")
    func ikeResponseParsing() {
        let spi: [UInt8] = [9, 9, 9, 9, 9, 9, 9, 9]
        var response = spi + [UInt8](repeating: 7, count: 8) + [41, 0x20, 34, 0x20] + [0, 0, 0, 0] + [0, 0, 0, 36]
        response += [0, 0, 0, 8, 0, 0, 0, 14]  // notify, protocol 0, SPI size 0, NO_PROPOSAL_CHOSEN
        let parsed = IKEv2Message.parseResponse(response, spi: spi)
        #expect(parsed?.notifyTypes == [14])
        #expect(parsed?.acceptedProposal == false)
        #expect(parsed?.summary.contains("NO_PROPOSAL_CHOSEN") == true)
        #expect(IKEv2Message.parseResponse(response, spi: [UInt8](repeating: 1, count: 8)) == nil)
        #expect(IKEv2Message.parseResponse(IKEv2Message.saInitRequest(spi: spi), spi: spi) == nil)
        #expect(IKEv2Message.parseResponse([0, 0, 0, 0] + response, spi: spi) != nil)
    }

    @Test("OpenVPN client hard reset and server answer acknowledging our session")
    func openVPNMessages() {
        let session: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let reset = OpenVPNMessage.clientHardReset(session: session)
        #expect(reset.count == 14)
        #expect(reset[0] == 0x38)
        let server: [UInt8] = [0x40] + [UInt8](repeating: 0xaa, count: 8) + [1, 0, 0, 0, 0] + session + [0, 0, 0, 0]
        #expect(OpenVPNMessage.isServerResponse(server, session: session))
        #expect(!OpenVPNMessage.isServerResponse(server, session: [UInt8](repeating: 0, count: 8)))
        #expect(!OpenVPNMessage.isServerResponse([0xff, 1, 2], session: session))
    }

    @Test("STUN binding request layout and XOR-MAPPED-ADDRESS decoding")
    func stunMessages() {
        let transaction = [UInt8](1...12)
        let request = STUNMessage.bindingRequest(transaction: transaction)
        #expect(request.count == 20)
        #expect(Array(request.prefix(8)) == [0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42])
        // 203.0.113.7:54321 XORed with the magic cookie.
        let port = UInt16(54321) ^ 0x2112
        let address: [UInt8] = [203 ^ 0x21, 0 ^ 0x12, 113 ^ 0xA4, 7 ^ 0x42]
        let attribute: [UInt8] = [0, 0x20, 0, 8, 0, 1, UInt8(port >> 8), UInt8(port & 0xff)] + address
        let response: [UInt8] = [1, 1, 0, 12, 0x21, 0x12, 0xA4, 0x42] + transaction + attribute
        let parsed = STUNMessage.parseResponse(response, transaction: transaction)
        #expect(parsed?.mappedAddress == "203.0.113.7")
        #expect(parsed?.mappedPort == 54321)
        #expect(parsed?.isError == false)
        #expect(STUNMessage.parseResponse(response, transaction: [UInt8](repeating: 0, count: 12)) == nil)
    }

    @Test("wg show all dump: peers with a handshake are listed, never-handshaken peers are not")
    func wireGuardDump() {
        let dump = """
            wg0\tPRIV\tPUB\t51820\toff
            wg0\tPEERKEY\t(none)\t10.0.0.1:51820\t10.10.0.0/16\t1764000000\t100\t200\t25
            wg0\tOTHER\t(none)\t10.0.0.2:51820\t10.11.0.0/16\t0\t0\t0\toff
            """
        let peers = WireGuardHandshake.parseDump(dump)
        #expect(peers.count == 1)
        #expect(peers.first?.endpoint == "10.0.0.1:51820")
        #expect(peers.first?.latest == Date(timeIntervalSince1970: 1_764_000_000))
    }
}
