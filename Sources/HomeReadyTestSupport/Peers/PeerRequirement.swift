import Foundation

/// A program, plugin or module that a test starts or configures, and the Debian package that installs it.
///
/// Every requirement's package must be named in `Scripts/bootstrap` (a test holds the two together), so a fresh
/// machine that ran the README's commands has every peer; when one is missing anyway, `missingMessage` says which
/// package brings it and how to install it.
public struct PeerRequirement: Sendable, Hashable, CustomStringConvertible {
    /// What a person calls it, e.g. "strongSwan's openssl plugin".
    public var name: String
    /// An absolute file path, or a program name looked up on `PATH`.
    public var path: String
    /// The Debian package that installs `path`.
    public var package: String

    public init(name: String, path: String, package: String) {
        self.name = name
        self.path = path
        self.package = package
    }

    /// Whether `path` exists here (an executable on `PATH` for a bare program name).
    public var isInstalled: Bool {
        path.hasPrefix("/") ? FileManager.default.fileExists(atPath: path) : Subprocess.isInstalled(path)
    }

    /// Says what is missing, which package brings it and how to install it.
    public var missingMessage: String {
        "\(name) (\(path)) is not installed: it comes with the Debian package \(package); run Scripts/bootstrap, "
            + "or as root: apt-get install --no-install-recommends \(package)"
    }

    public var description: String { "\(name) (\(package))" }

    /// The message for the first of `requirements` that is not installed, or nil when all are.
    public static func missing(_ requirements: [PeerRequirement]) -> String? {
        requirements.first { !$0.isInstalled }?.missingMessage
    }
}

extension PeerRequirement {
    public static let ip = PeerRequirement(name: "ip", path: "ip", package: "iproute2")
    public static let tc = PeerRequirement(name: "tc", path: "tc", package: "iproute2")
    public static let ss = PeerRequirement(name: "ss", path: "ss", package: "iproute2")
    public static let nft = PeerRequirement(name: "nftables' nft", path: "nft", package: "nftables")
    public static let sysctl = PeerRequirement(name: "sysctl", path: "sysctl", package: "procps")
    public static let nginx = PeerRequirement(name: "nginx", path: "nginx", package: "nginx-light")
    public static let openssl = PeerRequirement(name: "openssl", path: "openssl", package: "openssl")
    public static let iperf3 = PeerRequirement(name: "iperf3", path: "iperf3", package: "iperf3")
    public static let irtt = PeerRequirement(name: "irtt", path: "irtt", package: "irtt")
    public static let openvpn = PeerRequirement(name: "OpenVPN", path: "openvpn", package: "openvpn")
    public static let turnserver = PeerRequirement(name: "coturn's turnserver", path: "turnserver", package: "coturn")
    public static let chromium = PeerRequirement(name: "Chromium", path: "chromium", package: "chromium")
    /// A SIP client we did not write, driving the SIP mirror (Debian calls SIPp `sip-tester`).
    public static let sipp = PeerRequirement(name: "SIPp", path: "sipp", package: "sip-tester")
    /// The SBC the voice-path tests send OPTIONS to.
    public static let kamailio = PeerRequirement(name: "Kamailio", path: "kamailio", package: "kamailio")
    public static let kamailioTLS = PeerRequirement(
        name: "Kamailio's tls module", path: "/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so",
        package: "kamailio-tls-modules")
    public static let python3 = PeerRequirement(name: "python3", path: "python3", package: "python3")
    public static let sqlite3 = PeerRequirement(name: "sqlite3", path: "sqlite3", package: "sqlite3")
    public static let systemdAnalyze = PeerRequirement(
        name: "systemd-analyze", path: "systemd-analyze", package: "systemd")
    /// Makes the fresh Debian root the package test installs into.
    public static let debootstrap = PeerRequirement(name: "debootstrap", path: "debootstrap", package: "debootstrap")
    public static let lintian = PeerRequirement(name: "lintian", path: "lintian", package: "lintian")
    /// `Scripts/package` turns the binaries' shared libraries into Depends with it.
    public static let dpkgShlibdeps = PeerRequirement(
        name: "dpkg-shlibdeps", path: "dpkg-shlibdeps", package: "dpkg-dev")
    public static let strip = PeerRequirement(name: "strip", path: "strip", package: "binutils")
    public static let charon = PeerRequirement(
        name: "strongSwan's charon", path: "/usr/lib/ipsec/charon", package: "strongswan-charon")

    /// The charon plugins the lab's `strongswan.conf` loads, in its order, each with the Debian 12 package that
    /// ships it (`libstrongswan` only recommends `libstrongswan-standard-plugins`).
    public static let charonPluginPackages: [(plugin: String, package: String)] = [
        ("random", "libstrongswan"), ("nonce", "libstrongswan"), ("openssl", "libstrongswan-standard-plugins"),
        ("pem", "libstrongswan"), ("pkcs1", "libstrongswan"), ("x509", "libstrongswan"),
        ("pubkey", "libstrongswan"), ("socket-default", "strongswan-libcharon"),
        ("kernel-netlink", "libstrongswan"), ("sha2", "libstrongswan"), ("hmac", "libstrongswan"),
        ("aes", "libstrongswan"), ("gcm", "libstrongswan-standard-plugins"),
    ]

    /// The plugin files of `charonPluginPackages`.
    public static let charonPlugins: [PeerRequirement] = charonPluginPackages.map { plugin, package in
        PeerRequirement(
            name: "strongSwan's \(plugin) plugin", path: "/usr/lib/ipsec/plugins/libstrongswan-\(plugin).so",
            package: package)
    }

    /// Every peer the tests use, for the test that holds `Scripts/bootstrap` to them.
    public static var all: [PeerRequirement] {
        [
            ip, tc, ss, nft, sysctl, nginx, openssl, iperf3, irtt, openvpn, turnserver, chromium, python3, sqlite3,
            systemdAnalyze, debootstrap, lintian, dpkgShlibdeps, strip, charon, sipp, kamailio, kamailioTLS,
        ] + charonPlugins
    }
}
