import HomeReadyModel

extension VPNState {
    /// What the agent or IT should do about this state (the texts of `docs/vpn.md`).
    public func remediation(for gateway: VPNGateway) -> String? {
        let port = "\(gateway.transport == .tls || gateway.transport == .tcp ? "TCP" : "UDP") \(gateway.port)"
        switch self {
        case .reachable:
            return nil
        case .refused:
            return "The gateway host answered but nothing accepts \(port). Tell IT: the VPN service may be down or "
                + "the profile names the wrong port."
        case .filtered:
            return "Packets to \(port) get no answer. Allow outgoing \(port) on the home router or firewall (and any "
                + "security suite on this computer); if it still fails, try another network or tell IT."
        case .unreachable:
            return "This computer has no route to the gateway. Check the home connection (cable, Wi-Fi) and "
                + "that no other VPN is active, then run the check again."
        case .dnsFailure:
            return "The gateway's name \(gateway.host) does not resolve. Restart the router, or set the "
                + "computer's DNS to the provider's or IT's resolvers; tell IT if the name is wrong."
        case .tlsUntrusted:
            return "The gateway's certificate is not trusted. Do not accept it by hand. Tell IT, who should add "
                + "the gateway's pin_sha256 or ca_file to the profile, or fix the certificate."
        case .tlsExpired:
            return "The gateway's certificate is outside its validity period. Check this computer's date and "
                + "time; if they are right, tell IT to renew the gateway's certificate."
        case .tlsNameMismatch:
            return "The gateway's certificate names another host. Tell IT: the profile's host name or the "
                + "gateway's certificate is wrong."
        case .tlsIntercepted:
            return "A device on this network replaces the gateway's certificate (TLS inspection). Turn off "
                + "HTTPS/TLS inspection or \"web protection\" on the home router or security software, or connect "
                + "directly to the provider's router; never accept the certificate."
        case .tlsPinMismatch:
            return "The gateway presents a trusted certificate with a different key than the profile pins. Tell IT: "
                + "update the pin after a planned renewal, or investigate a trusted interceptor."
        case .tlsHandshakeFailed:
            return "The TLS handshake with the gateway failed. A proxy or firewall may cut TLS on \(port); try "
                + "another network and tell IT with this report."
        case .unverifiable:
            return "This gateway stays silent to unauthenticated probes by design; reachability is proven only by "
                + "connecting the VPN. Connect it and run the check again to verify the tunnel."
        case .error:
            return "HomeReady could not probe this gateway. Run the check again; tell IT if it persists."
        }
    }
}
