import Foundation
import HomeReadyTestSupport
import Testing

/// What the built `homeready` does before its first line of Swift.
@Suite("homeready at start")
struct StartupCLITests {
    static var homeready: String { ProfileCLITests.homeready }

    /// Whether the dynamic loader brings in GnuTLS for the agent (Debian's libcurl does, through librtmp and OpenLDAP).
    static var loadsGnuTLS: Bool {
        (try? Subprocess.run(["ldd", homeready]).stdout.contains("libgnutls")) ?? false
    }

    @Test("GnuTLS asks the agent whether to initialise itself and is told to skip (no trust modules loaded for nothing)",
          .enabled(if: loadsGnuTLS, "libgnutls is not among the agent's libraries (ldd)"))
    func gnutlsSkipsItsInitialisation() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_DEBUG"] = "bindings"
        let run = try Subprocess.run([Self.homeready, "--version"], environment: environment)
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        let bindings = run.stderr.split(separator: "\n").filter { $0.contains("`_gnutls_global_init_skip'") }
        #expect(!bindings.isEmpty, "GnuTLS's constructor did not look up _gnutls_global_init_skip")
        for binding in bindings {
            #expect(binding.contains("libgnutls") && binding.contains("homeready [0]"),
                    "GnuTLS's call is bound to another definition: \(binding)")
        }
    }
}
