import Foundation
import HomeReadyLocalization
import HomeReadyModel

/// The language of this run: `--lang` wherever it appears on the command line (so `--lang es --help` works), else
/// the environment as gettext reads it (LC_ALL, LC_MESSAGES, LANG), else English.
enum CLILanguage {
    static let current: Language = {
        let arguments = CommandLine.arguments
        for (index, argument) in arguments.enumerated() {
            if argument == "--lang", index + 1 < arguments.count, let language = Language(tag: arguments[index + 1]) {
                return language
            }
            if argument.hasPrefix("--lang="), let language = Language(tag: String(argument.dropFirst("--lang=".count))) {
                return language
            }
        }
        return Language.fromEnvironment(ProcessInfo.processInfo.environment)
    }()
}

/// A text of the message catalog in this run's language.
func cliText(_ key: String, _ args: [String: TextArgument] = [:]) -> String {
    Localizer(CLILanguage.current)(key, args)
}
