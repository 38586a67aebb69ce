// swift-tools-version:6.2
//
// HomeReady: is each contact-center agent ready to take calls from home?
//
// Targets, dependencies pointing one way only (see docs/architecture.md):
//   HomeReadyModel      pure values: report, profile, verdict, equipment lifecycle
//   HomeReadyProfiles   YAML -> Profile, validation with located errors, search path
//   HomeReadyScoring    pure math: E-model, Erlang C, latency/jitter statistics
//   HomeReadyLocalization  the message catalog (es, en), the reader's language, human figures and dates
//   HomeReadyJudging    pure judge: profile + measured figures, states and evidence -> findings, verdict, coverage
//   HomeReadyTransport  Swift over libcurl and OpenSSL (HTTP timing, TLS inspection, UDP sockets)
//   HomeReadyProbe      network measurement (throughput, latency, jitter, loss, DNS)
//   HomeReadyVPN        VPN gateway, STUN and MTU checks
//   HomeReadyPosture    facts collectors and the posture rule engine
//   HomeReadySigning    Ed25519 device keys, report signatures (shared by agent and server)
//   HomeReadyAgent      runs a check, renders, signs, spools and uploads it
//   HomeReadySpeedTest  server side of the speed test (HTTP endpoints, UDP echo responder)
//   HomeReadyDashboard  server-rendered web pages for IT and planners (Mustache, SVG charts, SSE)
//   HomeReadySelfTest   the agent's browser self-test page: personal links, page and assets, TURN credentials
//   HomeReadyServer     inventory server: storage, readiness, capacity, API
//
// Set HOMEREADY_AGENT_ONLY=1 to leave out the server targets and their dependencies
// (Hummingbird, NIO, database drivers): agent-side work then builds in a fraction of the time.
import PackageDescription

let agentOnly = Context.environment["HOMEREADY_AGENT_ONLY"] == "1"

/// The release link of the agent that Scripts/package makes (HOMEREADY_LINK_ORDER=1, with every function compiled in
/// its own section by Scripts/package's -function-sections flags): lld places the functions a
/// full check runs (Packaging/agent-link-order.txt, recorded by Scripts/agent-link-order) next to each other, and a
/// position-dependent executable has no relocations to apply at start. A check then maps less of the binary:
/// docs/performance.md, "The agent's memory".
/// Every link of the agent exports `_gnutls_global_init_skip` (CHomeReadyAgentMemory) so that GnuTLS, which libcurl's
/// optional protocols load, does not initialise itself at start.
let agentLinkSettings: [LinkerSetting] =
    [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=_gnutls_global_init_skip"], .when(platforms: [.linux]))]
    + (Context.environment["HOMEREADY_LINK_ORDER"] == "1"
    ? [
        .unsafeFlags(
            [
                "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Packaging/agent-link-order.txt",
                "-Xlinker", "--no-warn-symbol-ordering", "-Xclang-linker", "-no-pie",
            ], .when(platforms: [.linux], configuration: .release))
    ] : [])

/// Strict settings applied to every Swift target (swift-log's loop).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

var products: [Product] = [
    .executable(name: "homeready", targets: ["homeready"])
]

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
]

let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")

var targets: [Target] = [
    // MARK: System libraries
    .systemLibrary(
        name: "CHomeReadyCurl",
        pkgConfig: "libcurl",
        providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .systemLibrary(
        name: "CHomeReadyOpenSSL",
        pkgConfig: "openssl",
        providers: [.apt(["libssl-dev"])]
    ),

    // MARK: Agent side
    // The agent's allocator settings, applied before main (a C constructor): docs/performance.md.
    .target(name: "CHomeReadyAgentMemory"),
    .target(name: "HomeReadyModel"),
    .target(name: "HomeReadyProfiles", dependencies: ["HomeReadyModel", yams], resources: [.copy("Builtin")]),
    .target(name: "HomeReadyScoring", dependencies: ["HomeReadyModel"]),
    .target(name: "HomeReadyLocalization", dependencies: ["HomeReadyModel"], resources: [.copy("Catalog")]),
    .target(name: "HomeReadyJudging", dependencies: ["HomeReadyModel", "HomeReadyScoring", "HomeReadyLocalization"]),
    .target(name: "HomeReadyTransport", dependencies: ["CHomeReadyCurl", "CHomeReadyOpenSSL"]),
    .target(
        name: "HomeReadyProbe",
        dependencies: ["HomeReadyModel", "HomeReadyScoring", "HomeReadyLocalization", "HomeReadyTransport", logging]),
    .target(
        name: "HomeReadyVPN",
        dependencies: ["HomeReadyModel", "HomeReadyScoring", "HomeReadyLocalization", "HomeReadyTransport", logging]),
    .target(
        name: "HomeReadyVoicePath",
        dependencies: ["HomeReadyModel", "HomeReadyLocalization", "HomeReadyTransport", "HomeReadyVPN", logging, crypto]),
    .target(name: "HomeReadyPosture", dependencies: ["HomeReadyModel", logging]),
    .target(name: "HomeReadySigning", dependencies: ["HomeReadyModel", crypto]),
    .target(
        name: "HomeReadyAgent",
        dependencies: [
            "HomeReadyModel", "HomeReadyJudging", "HomeReadyLocalization", "HomeReadyTransport", "HomeReadyProbe",
            "HomeReadyVPN", "HomeReadyVoicePath", "HomeReadyPosture", "HomeReadySigning", logging,
        ]
    ),
    .executableTarget(
        name: "homeready",
        dependencies: [
            "HomeReadyAgent", "HomeReadyModel", "HomeReadyLocalization", "HomeReadyProfiles", "HomeReadyProbe",
            "HomeReadyVPN", "HomeReadyVoicePath", "HomeReadyPosture", "CHomeReadyAgentMemory", argumentParser, logging,
            yams,
        ],
        linkerSettings: agentLinkSettings
    ),
    .target(name: "HomeReadyTestSupport", dependencies: ["HomeReadyModel", "CHomeReadyTUN"]),
    // The lab's delay line (a TUN device holding each packet for a fixed delay): a test tool, never packaged.
    .systemLibrary(name: "CHomeReadyTUN"),
    .executableTarget(name: "homeready-lab-delay", dependencies: ["HomeReadyTestSupport", argumentParser]),

    // MARK: Agent-side tests
    .testTarget(name: "HomeReadyModelTests", dependencies: ["HomeReadyModel"]),
    .testTarget(
        name: "HomeReadyProfilesTests", dependencies: ["HomeReadyProfiles", "HomeReadyModel", "HomeReadyTestSupport"]),
    .testTarget(name: "HomeReadyScoringTests", dependencies: ["HomeReadyScoring", "HomeReadyModel"]),
    .testTarget(
        name: "HomeReadyLocalizationTests",
        dependencies: ["HomeReadyLocalization", "HomeReadyModel", "HomeReadyJudging", "HomeReadyProfiles"]),
    .testTarget(
        name: "HomeReadyJudgingTests",
        dependencies: [
            "HomeReadyJudging", "HomeReadyModel", "HomeReadyProfiles", "HomeReadyLocalization", "HomeReadyTestSupport",
        ]),
    .testTarget(name: "HomeReadyTransportTests", dependencies: ["HomeReadyTransport", "HomeReadyTestSupport"]),
    .testTarget(
        name: "HomeReadyProbeTests",
        dependencies: [
            "HomeReadyProbe", "HomeReadyJudging", "HomeReadyModel", "HomeReadyScoring", "HomeReadyTransport",
            "HomeReadyTestSupport", logging,
        ]),
    .testTarget(
        name: "HomeReadyVPNTests",
        dependencies: [
            "HomeReadyVPN", "HomeReadyJudging", "HomeReadyModel", "HomeReadyTransport", "HomeReadyTestSupport", logging,
        ]),
    .testTarget(
        name: "HomeReadyVoicePathTests",
        dependencies: [
            "HomeReadyVoicePath", "HomeReadyJudging", "HomeReadyModel", "HomeReadyTransport", "HomeReadyTestSupport",
            logging,
        ]),
    .testTarget(
        name: "HomeReadyPostureTests",
        dependencies: [
            "HomeReadyPosture", "HomeReadyProfiles", "HomeReadyJudging", "HomeReadyModel", "HomeReadyTestSupport",
            logging,
        ]),
    .testTarget(name: "HomeReadySigningTests", dependencies: ["HomeReadySigning", "HomeReadyTestSupport"]),
    .testTarget(
        name: "HomeReadyAgentTests",
        dependencies: ["HomeReadyAgent", "HomeReadyModel", "HomeReadySigning", "HomeReadyTestSupport", logging]),
    .testTarget(
        name: "HomeReadyCLITests",
        dependencies: ["HomeReadyTestSupport", "HomeReadyModel", "HomeReadyLocalization", "HomeReadyAgent"]),
    // The JSON Schemas against real documents, and the Debian packages built by Scripts/package.
    .testTarget(
        name: "HomeReadyPackagingTests",
        dependencies: ["HomeReadyModel", "HomeReadyProfiles", "HomeReadyJudging", "HomeReadyTestSupport"]),
]

if !agentOnly {
    products.append(.executable(name: "homeready-server", targets: ["homeready-server"]))
    dependencies += [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.60.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.30.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.14.0"),
        // Imported directly by the server besides the kits above (driver errors, the pool's event loops, fields).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.20.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.15.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
    ]
    let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
    let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
    let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
    let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
    let hummingbirdTesting = Target.Dependency.product(name: "HummingbirdTesting", package: "hummingbird")
    let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
    let sqlKit = Target.Dependency.product(name: "SQLKit", package: "sql-kit")
    targets += [
        .target(name: "HomeReadySpeedTest", dependencies: [hummingbird, nioCore, nioPosix, lifecycle, logging]),
        .target(
            name: "HomeReadyServer",
            dependencies: [
                "HomeReadyModel", "HomeReadyScoring", "HomeReadyJudging", "HomeReadySigning", "HomeReadySpeedTest",
                "HomeReadyDashboard", "HomeReadySelfTest", "HomeReadyProfiles", "HomeReadyHTTP", "HomeReadyLocalization",
                // Notification channels: email over libcurl's SMTP, chat webhooks over its HTTP (#20).
                "HomeReadyTransport", "CHomeReadyCurl",
                hummingbird,
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"), httpTypes,
                lifecycle, .product(name: "UnixSignals", package: "swift-service-lifecycle"), logging, crypto,
                .product(name: "NIOSSL", package: "swift-nio-ssl"), nioCore, nioPosix,
                .product(name: "Prometheus", package: "swift-prometheus"),
                sqlKit,
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncKit", package: "async-kit"),
                // Escalation policies in YAML (#20).
                yams,
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "HomeReadyDashboard",
            dependencies: [
                "HomeReadyModel", "HomeReadyScoring", "HomeReadySigning", "HomeReadyLocalization", hummingbird, logging,
                crypto, .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates"), .copy("Static")]
        ),
        .target(
            name: "HomeReadySelfTest",
            dependencies: [
                "HomeReadyModel", "HomeReadySigning", "HomeReadyHTTP", "HomeReadyLocalization", hummingbird, logging, crypto,
            ],
            resources: [.copy("Resources")]
        ),
        // What every HTTP surface shares: the problem document a refusal answers with.
        .target(name: "HomeReadyHTTP", dependencies: [hummingbird]),
        .executableTarget(
            name: "homeready-server",
            dependencies: [
                "HomeReadyServer", "HomeReadyDashboard", "HomeReadySelfTest", "HomeReadyModel", hummingbird, argumentParser,
                logging,
            ]),
        // A stand-alone speed-test server for Scripts/lab and Scripts/bench (the inventory server mounts the same parts).
        .executableTarget(
            name: "homeready-speedtest-server",
            dependencies: ["HomeReadySpeedTest", hummingbird, lifecycle, argumentParser, logging]
        ),
        .testTarget(
            name: "HomeReadySpeedTestTests",
            dependencies: [
                "HomeReadySpeedTest", "HomeReadyProbe", "HomeReadyVoicePath", "HomeReadyJudging", "HomeReadyModel", "HomeReadyTransport",
                "HomeReadyTestSupport", hummingbird, hummingbirdTesting, nioCore, lifecycle, logging,
            ]
        ),
        .testTarget(
            name: "HomeReadyDashboardTests",
            dependencies: [
                "HomeReadyDashboard", "HomeReadyScoring", "HomeReadySigning", "HomeReadyLocalization", "HomeReadyModel",
                "HomeReadyTestSupport", hummingbird, hummingbirdTesting,
            ]
        ),
        .testTarget(
            name: "HomeReadySelfTestTests",
            dependencies: ["HomeReadySelfTest", "HomeReadyModel", "HomeReadyTestSupport", crypto]
        ),
        .testTarget(
            name: "HomeReadyServerTests",
            dependencies: [
                "HomeReadyServer", "HomeReadyTestSupport", "HomeReadyAgent", "HomeReadyDashboard", "HomeReadyJudging",
                "HomeReadyModel", "HomeReadyProfiles", "HomeReadySelfTest", "HomeReadySigning", hummingbird,
                hummingbirdTesting, httpTypes, nioCore, lifecycle, logging, crypto, sqlKit,
            ]
        ),
    ]
}

for target in targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}

let package = Package(
    name: "HomeReady",
    platforms: [.macOS(.v14)],
    products: products,
    dependencies: dependencies,
    targets: targets,
    swiftLanguageModes: [.v6]
)

// MARK: Fuzzing (kept out of the default build; Scripts/bench/fuzz sets HOMEREADY_FUZZ=1 and -sanitize=fuzzer)
// FuzzCSV compiles the server's CSV sources through symlinks so it needs none of the server's dependencies.
if Context.environment["HOMEREADY_FUZZ"] == "1" {
    package.targets += [
        .executableTarget(name: "FuzzProfile", dependencies: ["HomeReadyProfiles"], path: "Fuzz/FuzzProfile"),
        .executableTarget(name: "FuzzReport", dependencies: ["HomeReadyModel"], path: "Fuzz/FuzzReport"),
        .executableTarget(name: "FuzzCSV", path: "Fuzz/FuzzCSV"),
    ]
}
