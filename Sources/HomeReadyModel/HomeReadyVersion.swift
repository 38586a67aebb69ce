/// The version of this build of HomeReady: the one place it is declared.
///
/// Both programs print it for `--version`, the agent writes it into every report (`tool.version`), and
/// `Scripts/package` reads it from this file for the Debian packages' version, so the four always agree.
public enum HomeReadyVersion {
    /// The version, `MAJOR.MINOR.PATCH`. `Scripts/package` reads the quoted text on this line.
    public static let current = "0.1.0"
}
